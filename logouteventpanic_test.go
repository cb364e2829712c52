package sessions_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestRecoveredDestroyedEventPanicExpiresCookie checks what a client gets
// when Options.OnEvent panics on the EventDestroyed of a logout and a
// recovering middleware answers 500. The record is gone by then, so the
// answer must still expire the session cookie, as the logout's response
// would have: otherwise the client keeps a cookie naming nothing. The
// recoverer sits inside Handler, around it, or around a handler that runs
// without Handler (Manager.Destroy writes at once); the store is a
// server-side one or the cookie store.
func TestRecoveredDestroyedEventPanicExpiresCookie(t *testing.T) {
	for _, tc := range []struct {
		name    string
		cookies bool // the cookie store
		wrap    func(m *sessions.Manager, recoverer func(http.Handler) http.Handler, h http.Handler) http.Handler
	}{
		{"recovered inside Handler", false, func(m *sessions.Manager, rec func(http.Handler) http.Handler, h http.Handler) http.Handler {
			return m.Handler(rec(h))
		}},
		{"recovered around Handler", false, func(m *sessions.Manager, rec func(http.Handler) http.Handler, h http.Handler) http.Handler {
			return rec(m.Handler(h))
		}},
		{"without Handler", false, func(m *sessions.Manager, rec func(http.Handler) http.Handler, h http.Handler) http.Handler {
			return rec(h)
		}},
		{"cookie store, recovered inside Handler", true, func(m *sessions.Manager, rec func(http.Handler) http.Handler, h http.Handler) http.Handler {
			return m.Handler(rec(h))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			armed := false
			opts := sessions.Options{OnEvent: func(_ context.Context, e sessions.Event) {
				mu.Lock()
				fire := armed && e.Kind == sessions.EventDestroyed
				mu.Unlock()
				if fire {
					panic("event sink failed")
				}
			}}
			var m *sessions.Manager
			if tc.cookies {
				var err error
				if m, err = sessions.NewManager(newCookieStore(t), opts); err != nil {
					t.Fatal(err)
				}
			} else {
				m, _ = newTestManager(t, opts)
			}
			id := seedSession(t, m)
			mu.Lock()
			armed = true
			mu.Unlock()

			h := tc.wrap(m, recover500, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				m.Destroy(w, r)
				w.Write([]byte("logged out"))
			}))
			res := serveCookie(h, "/", &http.Cookie{Name: m.CookieName(), Value: id}).Result()
			if res.StatusCode != http.StatusInternalServerError {
				t.Errorf("status %d, want the recoverer's 500", res.StatusCode)
			}
			cs := res.Cookies()
			if len(cs) != 1 || cs[0].Name != m.CookieName() || cs[0].Value != "" || cs[0].MaxAge >= 0 {
				t.Errorf("the 500 set cookies %q, want one expiring the session cookie", res.Header.Values("Set-Cookie"))
			}
			if !tc.cookies {
				mu.Lock()
				armed = false
				mu.Unlock()
				r := httptest.NewRequest(http.MethodGet, "/", nil)
				r.AddCookie(&http.Cookie{Name: m.CookieName(), Value: id})
				if !m.Start(httptest.NewRecorder(), r).IsNew() {
					t.Error("the session outlived its logout")
				}
			}
		})
	}
}
