package sessions_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
)

// barrierStore holds every Increment, once the store has done it, until n
// of them have been done (or a few seconds have passed), so that requests
// incrementing one counter in parallel all overlap.
type barrierStore struct {
	sessions.Store
	n       int
	mu      sync.Mutex
	done    int
	release chan struct{}
}

func (b *barrierStore) Increment(ctx context.Context, key, field string, by int64) (int64, error) {
	n, err := b.Store.Increment(ctx, key, field, by)
	b.mu.Lock()
	b.done++
	if b.done == b.n {
		close(b.release)
	}
	b.mu.Unlock()
	select {
	case <-b.release:
	case <-time.After(5 * time.Second):
	}
	return n, err
}

// TestParallelIncrementsAllCount checks that Session.Increment counts in
// the store, atomically: requests incrementing one session's counter at
// the same moment each add their count, none overwrites another's with
// the value it read, and each gets a value of its own back.
func TestParallelIncrementsAllCount(t *testing.T) {
	const requests = 8
	mem := memory.New(memory.Options{})
	t.Cleanup(func() { mem.Close() })
	store := &barrierStore{Store: mem, n: requests, release: make(chan struct{})}
	m, err := sessions.NewManager(store, sessions.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	var (
		mu  sync.Mutex
		got = map[int64]bool{}
	)
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := m.Start(w, r)
		if r.URL.Path == "/new" {
			s.Set("hits", 0)
			return
		}
		if r.URL.Path == "/read" {
			if n := s.GetInt("hits"); n != requests {
				t.Errorf("after %d parallel increments hits = %d, want %d", requests, n, requests)
			}
			return
		}
		n, err := s.Increment("hits", 1)
		if err != nil {
			t.Error(err)
		}
		mu.Lock()
		got[n] = true
		mu.Unlock()
	}))
	res := serveCookie(h, "/new", nil).Result()
	if len(res.Cookies()) != 1 {
		t.Fatalf("/new set %d cookies, want 1", len(res.Cookies()))
	}
	cookie := res.Cookies()[0]
	var wg sync.WaitGroup
	for range requests {
		wg.Go(func() { serveCookie(h, "/inc", cookie) })
	}
	wg.Wait()
	if len(got) != requests {
		t.Errorf("the parallel Increments returned %d distinct values (%v), want %d", len(got), got, requests)
	}
	serveCookie(h, "/read", cookie)
}
