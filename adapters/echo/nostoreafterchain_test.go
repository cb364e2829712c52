package sessionecho_test

import (
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/sessionkit/sessions"
	sessionecho "github.com/sessionkit/sessions/adapters/echo"
)

// TestNoStoreAfterChain checks that a response sent by middleware
// registered before Middleware, after the chain returned with the session
// committed and nothing written, stays uncacheable even when it does not
// go through echo's Response.WriteHeader: written straight to
// c.Response().Writer, or flushed with c.Response().Flush, which sends
// net/http's implicit 200 with the header as it stands, a cacheable
// Cache-Control the middleware set included.
func TestNoStoreAfterChain(t *testing.T) {
	for _, tc := range []struct {
		name string
		send func(res *echo.Response)
	}{
		{"Writer.Write", func(res *echo.Response) { res.Writer.Write([]byte("from the outer middleware")) }},
		{"Flush", func(res *echo.Response) { res.Flush() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, _ := newManager(t, sessions.Options{})
			e := echo.New()
			e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
				return func(c echo.Context) error {
					if err := next(c); err != nil {
						return err
					}
					res := c.Response()
					res.Header().Set("Cache-Control", "public, max-age=60")
					res.Header().Set("Vary", "Accept-Encoding")
					tc.send(res)
					return nil
				}
			})
			e.Use(sessionecho.Middleware(m))
			e.GET("/", func(c echo.Context) error {
				sessionecho.Session(m, c).Set("k", "v")
				return nil
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
		})
	}
}
