package sessions_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestRecoveredOnEventPanicKeepsSession checks what a client gets when an
// Options.OnEvent panics on the event the middleware's commit emits (a
// new session's EventCreated, a Renew's or Login's EventRenewed) and a
// recovering middleware inside Handler (chi's Recoverer) answers 500. The
// commit has stored the session by then, so the 500 must carry the cookie
// naming it, once, with no second commit or event; and a value set after
// the recovery, by a middleware between Handler and the recoverer, must be
// stored at once, as any change after the response started is, not
// dropped without a trace.
func TestRecoveredOnEventPanicKeepsSession(t *testing.T) {
	for _, tc := range []struct {
		name   string
		kind   sessions.EventKind
		seeded bool
		act    func(*sessions.Session) error
	}{
		{"new session", sessions.EventCreated, false, func(s *sessions.Session) error { s.Set("cart", 3); return nil }},
		{"Renew", sessions.EventRenewed, true, func(s *sessions.Session) error { s.Set("cart", 3); s.Renew(); return nil }},
		{"Login", sessions.EventRenewed, true, func(s *sessions.Session) error { s.Set("cart", 3); return s.Login("alice") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			armed, count := false, 0
			m, _ := newTestManager(t, sessions.Options{
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
			var id string
			if tc.seeded {
				id = seedSession(t, m)
			}
			mu.Lock()
			armed = true
			mu.Unlock()

			after := func(next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					next.ServeHTTP(w, r)
					m.FromContext(r.Context()).Set("after", 1)
				})
			}
			h := m.Handler(after(recover500(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if err := tc.act(m.Start(w, r)); err != nil {
					t.Error(err)
				}
				w.Write([]byte("done"))
			}))))
			var c *http.Cookie
			if id != "" {
				c = &http.Cookie{Name: m.CookieName(), Value: id}
			}
			res := serveCookie(h, "/", c).Result()

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
			if len(cs) != 1 || cs[0].Value == "" || cs[0].Value == id {
				t.Fatalf("the 500 set cookies %q, want one naming the session the commit stored", res.Header.Values("Set-Cookie"))
			}
			rec := httptest.NewRecorder()
			var got map[string]any
			m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got = m.Start(w, r).GetAll()
			})).ServeHTTP(rec, func() *http.Request {
				r := httptest.NewRequest(http.MethodGet, "/", nil)
				r.AddCookie(cs[0])
				return r
			}())
			if got["cart"] != 3 || got["after"] != 1 {
				t.Errorf("the session the 500's cookie names holds %v, want cart 3 and the value set after the recovery", got)
			}
		})
	}
}
