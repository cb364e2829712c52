package sessions_test

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestRecoveredOnEventPanicKeepsCookieSession is
// TestRecoveredOnEventPanicKeepsSession for the cookie store, where the
// session is the cookie: when an Options.OnEvent panics on the event the
// middleware's commit emits (a new session's EventCreated, a Renew's or
// Login's EventRenewed) and a recovering middleware inside Handler
// answers 500, the 500 must carry the cookie the commit sealed, as it
// carries a server-side session's, or the new session or the renewal is
// lost with it.
func TestRecoveredOnEventPanicKeepsCookieSession(t *testing.T) {
	for _, tc := range []struct {
		name   string
		kind   sessions.EventKind
		seeded bool
		user   string
		act    func(*sessions.Session) error
	}{
		{"new session", sessions.EventCreated, false, "", func(s *sessions.Session) error { s.Set("cart", 3); return nil }},
		{"Renew", sessions.EventRenewed, true, "", func(s *sessions.Session) error { s.Set("cart", 3); s.Renew(); return nil }},
		{"Login", sessions.EventRenewed, true, "alice", func(s *sessions.Session) error { s.Set("cart", 3); return s.Login("alice") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			armed, count := false, 0
			m, err := sessions.NewManager(newCookieStore(t), sessions.Options{
				KeepOnLogin: []string{"cart"},
				OnEvent: func(_ context.Context, e sessions.Event) {
					mu.Lock()
					fire := armed && e.Kind == tc.kind
					if fire {
						count++
					}
					mu.Unlock()
					if fire {
						panic("event sink failed")
					}
				},
			})
			if err != nil {
				t.Fatal(err)
			}
			var seeded *http.Cookie
			var seededID string
			if tc.seeded {
				res := serveCookie(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					s := m.Start(w, r)
					s.Set("name", "kataras")
					if err := s.Save(); err != nil {
						t.Fatal(err)
					}
					seededID = s.ID()
				})), "/", nil).Result()
				if cs := res.Cookies(); len(cs) != 1 {
					t.Fatalf("setup: cookies %v", cs)
				} else {
					seeded = cs[0]
				}
			}
			mu.Lock()
			armed = true
			mu.Unlock()

			h := m.Handler(recover500(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if err := tc.act(m.Start(w, r)); err != nil {
					t.Error(err)
				}
				w.Write([]byte("done"))
			})))
			res := serveCookie(h, "/", seeded).Result()

			if res.StatusCode != http.StatusInternalServerError {
				t.Errorf("status %d, want the recoverer's 500", res.StatusCode)
			}
			mu.Lock()
			armed = false
			if count != 1 {
				t.Errorf("%s emitted %d times, want 1", tc.kind, count)
			}
			mu.Unlock()
			cs := res.Cookies()
			if len(cs) != 1 || cs[0].Value == "" {
				t.Fatalf("the 500 set cookies %q, want one holding the session the commit sealed", res.Header.Values("Set-Cookie"))
			}
			var (
				got       map[string]any
				id, user  string
				readAfter = m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					s := m.Start(w, r)
					got, id, user = s.GetAll(), s.ID(), s.User()
				}))
			)
			serveCookie(readAfter, "/", cs[0])
			if got["cart"] != 3 || user != tc.user {
				t.Errorf("the 500's cookie holds %v of user %q, want cart 3 of user %q", got, user, tc.user)
			}
			if id == "" || id == seededID {
				t.Errorf("the 500's cookie names session %q, want a new one (the seeded one was %q)", id, seededID)
			}
		})
	}
}
