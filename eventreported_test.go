package sessions_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
)

// callFailingStore is the memory store, user index included, with the
// calls named in fail failing with ErrStoreUnavailable.
type callFailingStore struct {
	*memory.Store
	mu   sync.Mutex
	fail map[string]bool
}

func (f *callFailingStore) down(op string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail[op] {
		return sessions.ErrStoreUnavailable
	}
	return nil
}

func (f *callFailingStore) setDown(op string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail[op] = true
}

func (f *callFailingStore) Create(ctx context.Context, key string, rec *sessions.Record) error {
	if err := f.down("create"); err != nil {
		return err
	}
	return f.Store.Create(ctx, key, rec)
}

func (f *callFailingStore) Increment(ctx context.Context, key, field string, by int64) (int64, error) {
	if err := f.down("increment"); err != nil {
		return 0, err
	}
	return f.Store.Increment(ctx, key, field, by)
}

func (f *callFailingStore) UserSessions(ctx context.Context, user string) ([]sessions.Info, error) {
	if err := f.down("user-sessions"); err != nil {
		return nil, err
	}
	return f.Store.UserSessions(ctx, user)
}

// TestFailedCallInChangeIsReported checks that a store call that fails, or
// a change refused for its size, inside Increment or Login is reported as
// every other failed write is: one event of its kind (EventStoreError,
// logged at ERROR; EventTooLarge), with and without the middleware. They
// returned the error to the caller and emitted nothing, and the
// middleware's commit, which then succeeded, reported nothing either.
func TestFailedCallInChangeIsReported(t *testing.T) {
	for _, tc := range []struct {
		name   string
		opts   sessions.Options
		seeded bool   // the request carries a stored session
		fail   string // the store call that fails
		change func(s *sessions.Session) error
		want   sessions.EventKind
	}{
		{"Increment's store call", sessions.Options{}, true, "increment",
			func(s *sessions.Session) error { _, err := s.Increment("n", 1); return err }, sessions.EventStoreError},
		{"Increment storing a new session", sessions.Options{}, false, "create",
			func(s *sessions.Session) error { _, err := s.Increment("n", 1); return err }, sessions.EventStoreError},
		{"Increment over MaxSize", sessions.Options{MaxSize: 30}, true, "",
			func(s *sessions.Session) error {
				s.Set("pad", strings.Repeat("x", 10))
				_, err := s.Increment("counter-with-a-long-name", 1)
				return err
			}, sessions.EventTooLarge},
		{"Login checking the user's sessions (LimitReject)", sessions.Options{MaxPerUser: 2, LimitPolicy: sessions.LimitReject}, true, "user-sessions",
			func(s *sessions.Session) error { return s.Login("alice") }, sessions.EventStoreError},
	} {
		for _, handler := range []bool{false, true} {
			name := tc.name + "/Start"
			if handler {
				name = tc.name + "/Handler"
			}
			t.Run(name, func(t *testing.T) {
				mem := memory.New(memory.Options{})
				t.Cleanup(func() { mem.Close() })
				st := &callFailingStore{Store: mem, fail: map[string]bool{}}
				var ev eventKinds
				var log bytes.Buffer
				opts := tc.opts
				opts.OnEvent, opts.Logger = ev.on, slog.New(slog.NewTextHandler(&log, nil))
				m, err := sessions.NewManager(st, opts)
				if err != nil {
					t.Fatal(err)
				}
				req := httptest.NewRequest("GET", "/", nil)
				if tc.seeded {
					rec := httptest.NewRecorder()
					m.Start(rec, httptest.NewRequest("GET", "/", nil)).Set("a", 1)
					req.AddCookie(rec.Result().Cookies()[0])
				}
				ev.reset()
				if tc.fail != "" {
					st.setDown(tc.fail)
				}
				var changeErr error
				h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { changeErr = tc.change(m.Start(w, r)) })
				if handler {
					m.Handler(h).ServeHTTP(httptest.NewRecorder(), req)
				} else {
					h.ServeHTTP(httptest.NewRecorder(), req)
				}
				if changeErr == nil {
					t.Fatal("the change succeeded")
				}
				if n := ev.count(tc.want); n != 1 {
					t.Errorf("the change failed with %v: %d %v events (all: %v), want 1", changeErr, n, tc.want, ev.kinds)
				}
				if tc.want == sessions.EventStoreError && !strings.Contains(log.String(), "level=ERROR") {
					t.Errorf("the change failed with %v: log %q, want the store error at ERROR", changeErr, log.String())
				}
			})
		}
	}
}

// TestCSRFFailNamesSession checks that a CSRF refusal of a request whose
// session is known names it in the event (Handle and User), as every other
// event of a known session does: an audit log can then tell whose session
// a forged request targeted. It named none.
func TestCSRFFailNamesSession(t *testing.T) {
	store := memory.New(memory.Options{})
	t.Cleanup(func() { store.Close() })
	var events []sessions.Event
	m, err := sessions.NewManager(store, sessions.Options{
		Logger:  slog.New(slog.DiscardHandler),
		OnEvent: func(_ context.Context, e sessions.Event) { events = append(events, e) },
	})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	s := m.Start(rec, httptest.NewRequest("POST", "/login", nil))
	if err := s.Login("alice"); err != nil {
		t.Fatal(err)
	}
	handle := s.ID()[:16]
	req := httptest.NewRequest("POST", "/x", strings.NewReader("csrf_token=wrong"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.AddCookie(rec.Result().Cookies()[0])
	events = nil
	m.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})).ServeHTTP(httptest.NewRecorder(), req)
	for _, e := range events {
		if e.Kind == sessions.EventCSRFFail {
			if e.Handle != handle || e.User != "alice" {
				t.Errorf("csrf-fail event: Handle %q, User %q; want %q, %q", e.Handle, e.User, handle, "alice")
			}
			return
		}
	}
	t.Fatalf("no csrf-fail event among %v", events)
}
