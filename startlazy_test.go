package sessions_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestStartLoadsNothing checks that getting the session loads nothing:
// with or without the middleware, a handler that calls Start but never
// uses the session costs no store call, and the first use costs one load.
func TestStartLoadsNothing(t *testing.T) {
	for _, middleware := range []bool{true, false} {
		name := "without middleware"
		if middleware {
			name = "with middleware"
		}
		t.Run(name, func(t *testing.T) {
			m, store := newTestManager(t, sessions.Options{})
			id := seedSession(t, m)
			var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				s := m.Start(w, r)
				if n := store.loads.Load(); n != 0 {
					t.Errorf("Start made %d loads, want none before the session is used", n)
				}
				if r.URL.Path == "/use" {
					s.Get("name")
					if n := store.loads.Load(); n != 1 {
						t.Errorf("the first use made %d loads, want 1", n)
					}
				}
			})
			if middleware {
				h = m.Handler(h)
			}
			for _, path := range []string{"/", "/use"} {
				store.loads.Store(0)
				req := httptest.NewRequest(http.MethodGet, path, nil)
				req.AddCookie(&http.Cookie{Name: m.CookieName(), Value: id})
				h.ServeHTTP(httptest.NewRecorder(), req)
			}
		})
	}
}
