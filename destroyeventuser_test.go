package sessions_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
)

// TestDestroyEventsNameUserAndHandle: the event a logout emits names the
// user who logged out and the session's handle, with the cookie store as
// with a server store, and so does the EventStoreError of a logout whose
// delete failed: an audit log fed by OnEvent must tell whose session ended,
// or failed to end.
func TestDestroyEventsNameUserAndHandle(t *testing.T) {
	for _, tc := range []struct {
		name  string
		store func(t *testing.T) sessions.Store
		kind  sessions.EventKind
		// logout ends the session named by the cookie c.
		logout func(m *sessions.Manager, c *http.Cookie)
	}{
		{"cookie store, Logout inside Handler", newCookieStore, sessions.EventDestroyed, func(m *sessions.Manager, c *http.Cookie) {
			h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { m.Start(w, r).Logout() }))
			serveCookie(h, "/", c)
		}},
		{"cookie store, Manager.Destroy without Handler", newCookieStore, sessions.EventDestroyed, func(m *sessions.Manager, c *http.Cookie) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.AddCookie(c)
			m.Destroy(httptest.NewRecorder(), r)
		}},
		{"failing delete, Manager.Destroy without Handler", func(t *testing.T) sessions.Store {
			mem := memory.New(memory.Options{})
			t.Cleanup(func() { mem.Close() })
			return &failingStore{Store: mem, fail: map[string]bool{}}
		}, sessions.EventStoreError, func(m *sessions.Manager, c *http.Cookie) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.AddCookie(c)
			m.Destroy(httptest.NewRecorder(), r)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store := tc.store(t)
			var mu sync.Mutex
			var events []sessions.Event
			m, err := sessions.NewManager(store, sessions.Options{Logger: slog.New(slog.DiscardHandler), OnEvent: func(_ context.Context, e sessions.Event) {
				mu.Lock()
				events = append(events, e)
				mu.Unlock()
			}})
			if err != nil {
				t.Fatal(err)
			}
			h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if err := m.Start(w, r).Login("alice"); err != nil {
					t.Error(err)
				}
			}))
			cookies := serveCookie(h, "/", nil).Result().Cookies()
			if len(cookies) != 1 {
				t.Fatalf("login set %d cookies, want 1", len(cookies))
			}
			if f, ok := store.(*failingStore); ok {
				f.fail["delete"] = true
			}
			mu.Lock()
			events = nil
			mu.Unlock()
			tc.logout(m, cookies[0])

			mu.Lock()
			defer mu.Unlock()
			var got []sessions.Event
			for _, e := range events {
				if e.Kind == tc.kind {
					got = append(got, e)
				}
			}
			if len(got) != 1 || got[0].User != "alice" || got[0].Handle == "" {
				t.Errorf("logout emitted %+v; want one %v with User alice and the session's handle", got, tc.kind)
			}
		})
	}
}

// TestHandlerStoreErrorEventNamesSession: when Handler's commit fails, the
// EventStoreError (and its log record) names the session the failed write
// was for, by handle and user, as the same failure without the middleware
// does: a write to a logged-in session, and a logout whose delete failed
// (the session lives on, so which one matters most).
func TestHandlerStoreErrorEventNamesSession(t *testing.T) {
	for _, tc := range []struct {
		name, fail string
		handle     func(s *sessions.Session)
	}{
		{"commit of a Set", "commit", func(s *sessions.Session) { s.Set("n", 2) }},
		{"delete of a Logout", "delete", func(s *sessions.Session) { s.Logout() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mem := memory.New(memory.Options{})
			t.Cleanup(func() { mem.Close() })
			store := &failingStore{Store: mem, fail: map[string]bool{}}
			var mu sync.Mutex
			var got []sessions.Event
			m, err := sessions.NewManager(store, sessions.Options{Logger: slog.New(slog.DiscardHandler), OnEvent: func(_ context.Context, e sessions.Event) {
				if e.Kind == sessions.EventStoreError {
					mu.Lock()
					got = append(got, e)
					mu.Unlock()
				}
			}})
			if err != nil {
				t.Fatal(err)
			}
			id := loginAs(t, m, "alice")
			store.fail[tc.fail] = true
			res := do(t, m, id, tc.handle)
			if res.StatusCode != http.StatusServiceUnavailable {
				t.Fatalf("status %d, want 503", res.StatusCode)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(got) != 1 || got[0].Handle != sessions.KeyOf(id)[:16] || got[0].User != "alice" {
				t.Errorf("events %+v; want one EventStoreError with the session's handle %s and User alice", got, sessions.KeyOf(id)[:16])
			}
		})
	}
}
