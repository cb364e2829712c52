package sessionecho_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/sessionkit/sessions"
	sessionecho "github.com/sessionkit/sessions/adapters/echo"
)

// TestCookieResponseStaysNoStore checks that a response setting or
// clearing the session cookie goes out with "Cache-Control: no-store" and
// one "Vary: Cookie" even when middleware registered before Middleware
// changes those headers in a c.Response().Before hook: echo runs that hook
// after the session's commit, right before the status is written, so a
// cacheable Cache-Control set there would let a shared cache store one
// user's session cookie and hand it to others.
func TestCookieResponseStaysNoStore(t *testing.T) {
	hooks := []struct {
		name string
		hook func(h http.Header)
	}{
		{"public Cache-Control", func(h http.Header) {
			h.Set("Cache-Control", "public, max-age=60")
		}},
		{"Vary replaced", func(h http.Header) {
			h.Set("Cache-Control", "public, max-age=60")
			h.Set("Vary", "Accept-Encoding")
		}},
		{"Vary: Cookie added again", func(h http.Header) {
			h.Set("Cache-Control", "max-age=60")
			h.Add("Vary", "Cookie")
		}},
		{"Cache-Control removed", func(h http.Header) {
			h.Del("Cache-Control")
			h.Del("Vary")
		}},
	}
	handlers := []struct {
		name string
		path string
		// login marks a handler that needs a logged-in session first.
		login bool
	}{
		{"login", "/login", false},
		{"new session", "/set", false},
		{"Save then write", "/save", false},
		{"logout", "/logout", true},
		{"returned error", "/fail", false},
		{"written by the outer middleware", "/quiet", false},
	}
	for _, hk := range hooks {
		for _, hd := range handlers {
			t.Run(hk.name+"/"+hd.name, func(t *testing.T) {
				m, _ := newManager(t, sessions.Options{})
				e := echo.New()
				e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
					return func(c echo.Context) error {
						res := c.Response()
						res.Before(func() { hk.hook(res.Header()) })
						if err := next(c); err != nil {
							return err
						}
						if !res.Committed {
							return c.String(http.StatusOK, "from the outer middleware")
						}
						return nil
					}
				})
				e.Use(sessionecho.Middleware(m))
				e.GET("/login", func(c echo.Context) error {
					if err := sessionecho.Session(m, c).Login("alice"); err != nil {
						return err
					}
					return c.String(http.StatusOK, "welcome")
				})
				e.GET("/set", func(c echo.Context) error {
					sessionecho.Session(m, c).Set("k", "v")
					return c.NoContent(http.StatusNoContent)
				})
				e.GET("/save", func(c echo.Context) error {
					s := sessionecho.Session(m, c)
					s.Set("k", "v")
					if err := s.Save(); err != nil {
						return err
					}
					return c.String(http.StatusOK, "saved")
				})
				e.GET("/logout", func(c echo.Context) error {
					sessionecho.Session(m, c).Logout()
					return c.String(http.StatusOK, "bye")
				})
				e.GET("/fail", func(c echo.Context) error {
					sessionecho.Session(m, c).Set("k", "v")
					return errors.New("failed")
				})
				e.GET("/quiet", func(c echo.Context) error {
					sessionecho.Session(m, c).Set("k", "v")
					return nil
				})
				srv := serve(t, e)

				var rq request
				if hd.login {
					resp, _ := do(t, srv, "GET", "/login", request{})
					rq.Cookie = mustCookie(t, resp, m)
				}
				resp, _ := do(t, srv, "GET", hd.path, rq)
				c := mustCookie(t, resp, m)
				if hd.login && c.MaxAge >= 0 {
					t.Fatalf("logout: the session cookie was not cleared: %q", resp.Header.Values("Set-Cookie"))
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
}

// varyCookieCount counts the Vary field names in h that are Cookie.
func varyCookieCount(h http.Header) int {
	n := 0
	for _, v := range h.Values("Vary") {
		for f := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(f), "Cookie") {
				n++
			}
		}
	}
	return n
}

// TestCookieResponseStaysNoStoreNested checks the same for the cookie of a
// manager whose Middleware runs inside another's, and for Middleware
// registered twice: the outer middleware's Before hook still cannot make
// the response cacheable.
func TestCookieResponseStaysNoStoreNested(t *testing.T) {
	site, _ := newManager(t, sessions.Options{})
	admin, _ := newManager(t, sessions.Options{CookieName: "admin_session"})
	e := echo.New()
	e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			res := c.Response()
			res.Before(func() { res.Header().Set("Cache-Control", "public, max-age=60") })
			return next(c)
		}
	})
	e.Use(sessionecho.Middleware(site))
	g := e.Group("/admin", sessionecho.Middleware(admin), sessionecho.Middleware(site))
	g.GET("/login", func(c echo.Context) error {
		if err := sessionecho.Session(admin, c).Login("root"); err != nil {
			return err
		}
		return c.String(http.StatusOK, "welcome")
	})
	srv := serve(t, e)

	resp, _ := do(t, srv, "GET", "/admin/login", request{})
	mustCookie(t, resp, admin)
	if c := sessionCookie(resp, site); c != nil {
		t.Fatalf("the site's cookie was set: %v", c)
	}
	if cc := resp.Header.Values("Cache-Control"); len(cc) != 1 || cc[0] != "no-store" {
		t.Errorf("the response sets the admin session cookie with Cache-Control %q, want [no-store]", cc)
	}
	if n := varyCookieCount(resp.Header); n != 1 {
		t.Errorf("Vary %q names Cookie %d times, want once", resp.Header.Values("Vary"), n)
	}
}
