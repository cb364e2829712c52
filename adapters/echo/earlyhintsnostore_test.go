package sessionecho_test

import (
	"net/http"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/sessionkit/sessions"
	sessionecho "github.com/sessionkit/sessions/adapters/echo"
)

// TestEarlyHintsKeepNoStore checks that 103 Early Hints sent ahead of a
// response that sets the session cookie do not end the no-store writer's
// watch: the informational status is not the final one, so the final
// status still goes out with "Cache-Control: no-store" and one
// "Vary: Cookie", though a Before hook of middleware registered before
// Middleware made the header cacheable.
func TestEarlyHintsKeepNoStore(t *testing.T) {
	m, _ := newManager(t, sessions.Options{})
	e := echo.New()
	e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			res := c.Response()
			res.Before(func() {
				res.Header().Set("Cache-Control", "public, max-age=60")
				res.Header().Set("Vary", "Accept-Encoding")
			})
			return next(c)
		}
	}, sessionecho.Middleware(m))
	e.GET("/", func(c echo.Context) error {
		sessionecho.Session(m, c).Set("k", "v")
		c.Response().Header().Set("Link", "</app.css>; rel=preload")
		c.Response().Writer.WriteHeader(http.StatusEarlyHints)
		return c.String(http.StatusOK, "ok")
	})
	srv := serve(t, e)

	resp, _ := do(t, srv, "GET", "/", request{})
	mustCookie(t, resp, m)
	if cc := resp.Header.Values("Cache-Control"); len(cc) != 1 || cc[0] != "no-store" {
		t.Errorf("the response sets the session cookie with Cache-Control %q, want [no-store]", cc)
	}
	if n := varyCookieCount(resp.Header); n != 1 {
		t.Errorf("Vary %q names Cookie %d times, want once", resp.Header.Values("Vary"), n)
	}
}
