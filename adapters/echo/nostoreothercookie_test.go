package sessionecho_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/sessionkit/sessions"
	sessionecho "github.com/sessionkit/sessions/adapters/echo"
)

// TestNoStoreOnlyForSessionCookie checks that the middleware makes a
// response uncacheable, and adds Vary: Cookie, only when Manager.Handler
// does: when a Set-Cookie line sets or clears the session cookie (its name
// at its Path and Domain). A handler that never touches the session and
// expires a stale cookie of the same name at another Path or Domain sets
// another cookie; its own Cache-Control stays, as under the core. The
// middleware's writer matched the name alone.
func TestNoStoreOnlyForSessionCookie(t *testing.T) {
	for _, tc := range []struct {
		name   string
		cookie func(m *sessions.Manager) *http.Cookie
	}{
		{"other name", func(m *sessions.Manager) *http.Cookie {
			return &http.Cookie{Name: "theme", Value: "dark", Path: "/"}
		}},
		{"session name at another path", func(m *sessions.Manager) *http.Cookie {
			return &http.Cookie{Name: m.CookieName(), Path: "/old", MaxAge: -1}
		}},
		{"session name at another domain", func(m *sessions.Manager) *http.Cookie {
			return &http.Cookie{Name: m.CookieName(), Domain: "old.example.com", Path: "/", MaxAge: -1}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			page := func(m *sessions.Manager, w http.ResponseWriter) {
				w.Header().Set("Cache-Control", "public, max-age=60")
				http.SetCookie(w, tc.cookie(m))
				w.Write([]byte("page"))
			}
			type answer struct{ cache, vary, setCookie string }
			var got [2]answer
			for i, side := range []string{"core", "echo"} {
				m, _ := newManager(t, sessions.Options{})
				var h http.Handler
				if side == "core" {
					h = m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { page(m, w) }))
				} else {
					e := echo.New()
					e.Use(sessionecho.Middleware(m))
					e.GET("/", func(c echo.Context) error { page(m, c.Response()); return nil })
					h = e
				}
				srv := httptest.NewServer(h)
				resp, _ := do(t, srv, "GET", "/", request{})
				srv.Close()
				got[i] = answer{resp.Header.Get("Cache-Control"), strings.Join(resp.Header.Values("Vary"), ", "), strings.Join(resp.Header.Values("Set-Cookie"), " | ")}
			}
			if got[0] != got[1] {
				t.Errorf("handler sets %q and Cache-Control: public:\n core answers %+v\n echo answers %+v", got[0].setCookie, got[0], got[1])
			}
		})
	}
}
