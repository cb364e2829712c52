package sessions_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
)

// failingStore fails the store calls named in fail with ErrStoreUnavailable
// and counts the calls it failed.
type failingStore struct {
	sessions.Store
	mu     sync.Mutex
	fail   map[string]bool
	failed int
}

func (f *failingStore) down(op string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail[op] {
		f.failed++
		return sessions.ErrStoreUnavailable
	}
	return nil
}

func (f *failingStore) Load(ctx context.Context, key string) (*sessions.Record, bool, error) {
	if err := f.down("load"); err != nil {
		return nil, false, err
	}
	return f.Store.Load(ctx, key)
}

func (f *failingStore) Commit(ctx context.Context, key string, d *sessions.Delta) error {
	if err := f.down("commit"); err != nil {
		return err
	}
	return f.Store.Commit(ctx, key, d)
}

func (f *failingStore) Delete(ctx context.Context, key string) error {
	if err := f.down("delete"); err != nil {
		return err
	}
	return f.Store.Delete(ctx, key)
}

// TestOneStoreFailureIsOneStoreErrorEvent: without the middleware every
// change is written at once, and a store call that fails makes the session
// unusable, so later changes in the request are refused without another
// store call. One failed store call is one EventStoreError and one log
// record, not one more per later Set, Delete or Destroy: an alert counting
// store errors would otherwise count a single outage many times over.
func TestOneStoreFailureIsOneStoreErrorEvent(t *testing.T) {
	for _, tc := range []struct {
		name string
		fail string
		use  func(s *sessions.Session)
	}{
		{"load fails, then Set and Destroy", "load", func(s *sessions.Session) {
			s.Set("a", 1)
			s.Set("b", 2)
			s.Destroy()
		}},
		{"commit fails, then Set and Delete", "commit", func(s *sessions.Session) {
			s.Set("a", 1)
			s.Set("b", 2)
			s.Delete("n")
		}},
		{"commit fails, then Destroy", "commit", func(s *sessions.Session) {
			s.Set("a", 1)
			s.Destroy()
		}},
		{"delete fails on Destroy, then Set", "delete", func(s *sessions.Session) {
			s.Destroy()
			s.Set("a", 1)
		}},
		{"commit fails on Login, then Set", "commit", func(s *sessions.Session) {
			s.Login("alice")
			s.Set("a", 1)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mem := memory.New(memory.Options{})
			t.Cleanup(func() { mem.Close() })
			store := &failingStore{Store: mem, fail: map[string]bool{}}
			var logs bytes.Buffer
			var mu sync.Mutex
			var storeErrors []sessions.Event
			m, err := sessions.NewManager(store, sessions.Options{
				Logger: slog.New(slog.NewTextHandler(&logs, nil)),
				OnEvent: func(_ context.Context, e sessions.Event) {
					if e.Kind == sessions.EventStoreError {
						mu.Lock()
						storeErrors = append(storeErrors, e)
						mu.Unlock()
					}
				},
			})
			if err != nil {
				t.Fatal(err)
			}
			id := seedSession(t, m)
			logs.Reset()
			store.fail[tc.fail] = true

			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.AddCookie(&http.Cookie{Name: m.CookieName(), Value: id})
			s := m.Start(httptest.NewRecorder(), r)
			tc.use(s)

			if !errors.Is(s.Err(), sessions.ErrStoreUnavailable) {
				t.Fatalf("Err() = %v, want ErrStoreUnavailable", s.Err())
			}
			if store.failed != 1 {
				t.Fatalf("the store failed %d calls, want 1", store.failed)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(storeErrors) != 1 {
				t.Errorf("one failed %s emitted %d EventStoreError, want 1", tc.fail, len(storeErrors))
			}
			if n := strings.Count(logs.String(), "sessions: store-error"); n != 1 {
				t.Errorf("one failed %s left %d store-error log records, want 1:\n%s", tc.fail, n, logs.String())
			}
		})
	}
}
