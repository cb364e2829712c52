package sessions_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
)

// eventKinds records the kinds of the events a manager emits.
type eventKinds struct {
	mu    sync.Mutex
	kinds []sessions.EventKind
}

func (l *eventKinds) on(_ context.Context, e sessions.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.kinds = append(l.kinds, e.Kind)
}

func (l *eventKinds) count(k sessions.EventKind) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, x := range l.kinds {
		if x == k {
			n++
		}
	}
	return n
}

func (l *eventKinds) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.kinds = nil
}

// TestRefusedIncrementCreatesNothing checks that an Increment on a new
// session, refused because the pending changes it commits first are
// refused, leaves no session to create: once the handler drops the
// offending value, the request stored nothing, so it issues no cookie and
// reports no EventCreated.
func TestRefusedIncrementCreatesNothing(t *testing.T) {
	var ev eventKinds
	mem := memory.New(memory.Options{})
	t.Cleanup(func() { mem.Close() })
	m, err := sessions.NewManager(encodingStore{mem}, sessions.Options{OnEvent: ev.on})
	if err != nil {
		t.Fatal(err)
	}
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := m.Start(w, r)
		s.Set("bad", func() {})
		if n, err := s.Increment("n", 1); n != 0 || !errors.Is(err, sessions.ErrUnsupportedValue) {
			t.Errorf("Increment beside a pending unencodable value = %d, %v; want 0, ErrUnsupportedValue", n, err)
		}
		s.Delete("bad")
		w.Write([]byte("ok"))
	}))
	res := serveCookie(h, "https://example.com/", nil).Result()
	if cs := res.Cookies(); res.StatusCode != http.StatusOK || len(cs) != 0 || mem.Len() != 0 || ev.count(sessions.EventCreated) != 0 {
		t.Errorf("status %d, cookies %v, %d sessions stored, %d EventCreated; want 200 and none: the request stored nothing",
			res.StatusCode, cs, mem.Len(), ev.count(sessions.EventCreated))
	}
}
