package sessionecho_test

import (
	"net/http"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/sessionkit/sessions"
	sessionecho "github.com/sessionkit/sessions/adapters/echo"
)

// TestNoStoreHeaderSpelling checks how the no-store writer reads the header
// a Before hook of middleware registered before Middleware leaves: a
// Set-Cookie line for the session cookie with space before its name (which
// net/http trims when it sends the line) still makes the response
// uncacheable, and a Vary that names Cookie in another case ("cookie") is
// that same field, not one more Cookie to add.
func TestNoStoreHeaderSpelling(t *testing.T) {
	for _, tc := range []struct {
		name   string
		hook   func(h http.Header)
		handle func(m *sessions.Manager, c echo.Context)
	}{
		{"Set-Cookie with space before the name",
			func(h http.Header) { h.Set("Cache-Control", "public, max-age=60") },
			func(m *sessions.Manager, c echo.Context) {
				c.Response().Header().Add("Set-Cookie", " "+m.CookieName()+"=; Path=/; Max-Age=0; HttpOnly; Secure")
			}},
		{"Vary: cookie",
			func(h http.Header) {
				h.Set("Cache-Control", "public, max-age=60")
				h.Set("Vary", "Accept-Encoding, cookie")
			},
			func(m *sessions.Manager, c echo.Context) { sessionecho.Session(m, c).Set("k", "v") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, _ := newManager(t, sessions.Options{})
			e := echo.New()
			e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
				return func(c echo.Context) error {
					res := c.Response()
					res.Before(func() { tc.hook(res.Header()) })
					return next(c)
				}
			})
			e.Use(sessionecho.Middleware(m))
			e.GET("/", func(c echo.Context) error {
				tc.handle(m, c)
				return c.String(http.StatusOK, "ok")
			})
			srv := serve(t, e)

			resp, _ := do(t, srv, "GET", "/", request{})
			if sessionCookie(resp, m) == nil {
				t.Fatalf("no session cookie line: Set-Cookie %q", resp.Header.Values("Set-Cookie"))
			}
			if cc := resp.Header.Values("Cache-Control"); len(cc) != 1 || cc[0] != "no-store" {
				t.Errorf("the response sets the session cookie with Cache-Control %q, want [no-store]", cc)
			}
			if n := varyCookieCount(resp.Header); n != 1 {
				t.Errorf("Vary %q names Cookie %d times, want once", resp.Header.Values("Vary"), n)
			}
		})
	}
}
