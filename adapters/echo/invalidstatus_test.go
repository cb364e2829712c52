package sessionecho_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/sessionkit/sessions"
	sessionecho "github.com/sessionkit/sessions/adapters/echo"
)

// invalidStatusWrites write a code net/http refuses (it panics with
// "invalid WriteHeader code") from a handler.
var invalidStatusWrites = []struct {
	name  string
	write func(c echo.Context) error
}{
	{"NoContent(0)", func(c echo.Context) error { return c.NoContent(0) }},
	{"WriteHeader(99)", func(c echo.Context) error { c.Response().WriteHeader(99); return nil }},
	{"WriteHeader(1000)", func(c echo.Context) error { c.Response().WriteHeader(1000); return nil }},
	{"WriteHeader(-1)", func(c echo.Context) error { c.Response().WriteHeader(-1); return nil }},
}

// TestInvalidStatusCodeAsPlainEcho checks that a handler writing a code
// net/http refuses fares as it does without the middleware: echo's Before
// hooks run for the code, net/http's panic leaves the response uncommitted
// for echo's Recover middleware to answer with 500, and no session is
// stored, since no response went out to carry it. (Recover's answer goes
// through echo's own response, as for any panic: see Middleware. The hooks
// compared are those that ran until the panic.)
func TestInvalidStatusCodeAsPlainEcho(t *testing.T) {
	for _, w := range invalidStatusWrites {
		t.Run(w.name, func(t *testing.T) {
			run := func(withMiddleware bool) (status int, hooks []string, writes int32) {
				panicked := false
				hook := func(c echo.Context, name string) func() {
					return func() {
						if !panicked {
							hooks = append(hooks, fmt.Sprint(name, " ", c.Response().Status))
						}
					}
				}
				m, st := newManager(t, sessions.Options{})
				e := echo.New()
				e.Logger.SetOutput(io.Discard)
				e.Use(middleware.Recover())
				e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
					return func(c echo.Context) error {
						c.Response().Before(hook(c, "outer"))
						return next(c)
					}
				})
				if withMiddleware {
					e.Use(sessionecho.Middleware(m))
				}
				e.GET("/", func(c echo.Context) error {
					if withMiddleware {
						sessionecho.Session(m, c).Set("cart", 3)
					}
					c.Response().Before(hook(c, "handler"))
					defer func() {
						hooks = append(hooks, fmt.Sprint("committed ", c.Response().Committed))
						panicked = true
					}()
					return w.write(c)
				})
				rec := httptest.NewRecorder()
				e.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
				return rec.Code, hooks, st.Writes.Load()
			}
			plainStatus, plainHooks, _ := run(false)
			status, hooks, writes := run(true)
			if status != plainStatus || status != http.StatusInternalServerError {
				t.Errorf("status %d, want %d as without the middleware (Recover's answer)", status, plainStatus)
			}
			// The middleware runs the handler's hooks before the commit and
			// the outer ones after it, for every status: compare as sets.
			slices.Sort(hooks)
			slices.Sort(plainHooks)
			if !slices.Equal(hooks, plainHooks) {
				t.Errorf("hooks and the handler's view of the response: %q, want %q as without the middleware", hooks, plainHooks)
			}
			if writes != 0 {
				t.Errorf("%d store writes, want none: no response went out to carry the session", writes)
			}
		})
	}
}

// TestNoStoreAfterInvalidStatusCode checks that a code net/http refuses,
// which sends nothing, does not count as the response's status for the
// middleware's cache headers: the error response that follows, here one
// that sets the session cookie from echo's HTTPErrorHandler, still goes
// out with "Cache-Control: no-store" after a Before hook of middleware
// registered before Middleware made it cacheable.
func TestNoStoreAfterInvalidStatusCode(t *testing.T) {
	for _, w := range invalidStatusWrites {
		t.Run(w.name, func(t *testing.T) {
			m, _ := newManager(t, sessions.Options{})
			e := echo.New()
			e.Logger.SetOutput(io.Discard)
			e.HTTPErrorHandler = func(err error, c echo.Context) {
				sessionecho.Session(m, c).Set("failed", true)
				_ = c.String(http.StatusInternalServerError, "failed")
			}
			e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
				return func(c echo.Context) error {
					c.Response().Before(func() { c.Response().Header().Set("Cache-Control", "public, max-age=60") })
					return next(c)
				}
			})
			e.Use(middleware.Recover())
			e.Use(sessionecho.Middleware(m))
			e.GET("/", w.write)
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
			res := rec.Result()
			if sessionCookie(res, m) == nil {
				t.Fatalf("status %d without the session cookie, want the error handler's response setting it", res.StatusCode)
			}
			if cc := res.Header.Values("Cache-Control"); !slices.Equal(cc, []string{"no-store"}) || !hasVaryCookie(res) {
				t.Errorf("Cache-Control %q, Vary %q on a response setting the session cookie, want no-store and Cookie", cc, res.Header.Values("Vary"))
			}
		})
	}
}
