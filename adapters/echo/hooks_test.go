package sessionecho_test

import (
	"errors"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/sessionkit/sessions"
	sessionecho "github.com/sessionkit/sessions/adapters/echo"
)

// TestErrorResponseRunsHooks checks that c.Response().Before and After
// hooks registered inside the chain run for the response to a returned
// error, as they do without the middleware, that the error still reaches
// the middleware before this one, and that the response is written once.
func TestErrorResponseRunsHooks(t *testing.T) {
	cases := []struct {
		name       string
		err        error
		wantStatus int
		wantBody   string
	}{
		{"HTTPError", echo.NewHTTPError(http.StatusNotFound, "no such thing"), 404, "{\"message\":\"no such thing\"}\n"},
		{"plain error", errors.New("failed"), 500, "{\"message\":\"Internal Server Error\"}\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, st := newManager(t, sessions.Options{})
			e := echo.New()
			var outerErr error
			e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
				return func(c echo.Context) error {
					outerErr = next(c)
					return outerErr
				}
			})
			e.Use(sessionecho.Middleware(m))
			var afterRuns atomic.Int32
			e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
				return func(c echo.Context) error {
					c.Response().Before(func() { c.Response().Header().Set("X-Middleware-Hook", "ran") })
					return next(c)
				}
			})
			e.GET("/", func(c echo.Context) error {
				sessionecho.Session(m, c).Set("k", "v")
				c.Response().Before(func() { c.Response().Header().Set("X-Handler-Hook", "ran") })
				c.Response().After(func() { afterRuns.Add(1) })
				return tc.err
			})
			srv := serve(t, e)
			resp, body := do(t, srv, "GET", "/", request{})
			if resp.StatusCode != tc.wantStatus || body != tc.wantBody {
				t.Errorf("got %d %q, want %d %q", resp.StatusCode, body, tc.wantStatus, tc.wantBody)
			}
			for _, h := range []string{"X-Middleware-Hook", "X-Handler-Hook"} {
				if got := resp.Header.Get(h); got != "ran" {
					t.Errorf("%s = %q: a Before hook did not run for the error response", h, got)
				}
			}
			if n := afterRuns.Load(); n != 1 {
				t.Errorf("After hook ran %d times, want 1", n)
			}
			if outerErr != tc.err {
				t.Errorf("the middleware before Middleware got error %v, want %v", outerErr, tc.err)
			}
			mustCookie(t, resp, m)
			if n := st.Writes.Load(); n != 1 {
				t.Errorf("%d store writes, want 1", n)
			}
		})
	}
}

// TestErrorResponseCustomHandler checks that a custom HTTPErrorHandler that
// checks Committed, as echo's default does, answers a returned error once.
func TestErrorResponseCustomHandler(t *testing.T) {
	m, _ := newManager(t, sessions.Options{})
	e := echo.New()
	var calls, answered atomic.Int32
	e.HTTPErrorHandler = func(err error, c echo.Context) {
		calls.Add(1)
		if c.Response().Committed {
			return
		}
		answered.Add(1)
		c.String(http.StatusConflict, "custom: "+err.Error())
	}
	e.Use(sessionecho.Middleware(m))
	e.GET("/", func(c echo.Context) error {
		sessionecho.Session(m, c).Set("k", "v")
		return errors.New("taken")
	})
	srv := serve(t, e)
	resp, body := do(t, srv, "GET", "/", request{})
	if resp.StatusCode != http.StatusConflict || body != "custom: taken" {
		t.Errorf("got %d %q, want 409 %q", resp.StatusCode, body, "custom: taken")
	}
	if calls.Load() != 2 || answered.Load() != 1 {
		t.Errorf("error handler called %d times, answered %d; want 2 calls (in the chain, then by echo), 1 answer", calls.Load(), answered.Load())
	}
	mustCookie(t, resp, m)
}
