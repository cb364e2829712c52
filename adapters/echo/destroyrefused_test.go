package sessionecho_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/sessionkit/sessions"
	sessionecho "github.com/sessionkit/sessions/adapters/echo"
	"github.com/sessionkit/sessions/internal/adaptertest"
)

// logoutHandlers log out, store a value the final commit refuses, and
// prepare a response of their own in different ways, none of which may
// reach the client.
var logoutHandlers = []struct {
	name string
	h    func(c echo.Context, s *sessions.Session, bad string) error
}{
	{"body", func(c echo.Context, s *sessions.Session, bad string) error {
		s.Destroy()
		s.Set("bad", bad)
		return c.String(http.StatusOK, "handler body")
	}},
	{"nothing written", func(c echo.Context, s *sessions.Session, bad string) error {
		s.Destroy()
		s.Set("bad", bad)
		return nil
	}},
	{"handler headers", func(c echo.Context, s *sessions.Session, bad string) error {
		c.Response().Header().Set("X-Handler", "1")
		c.Response().Header().Set("Cache-Control", "public, max-age=600")
		c.SetCookie(&http.Cookie{Name: "handler", Value: "1", Path: "/"})
		c.Response().Header().Add("Set-Cookie", "sid=mine; Path=/app; Domain=example.com")
		s.Destroy()
		s.Set("bad", bad)
		return c.Redirect(http.StatusFound, "/app/bye")
	}},
	{"handler headers, returned error", func(c echo.Context, s *sessions.Session, bad string) error {
		c.Response().Header().Set("X-Handler", "1")
		c.SetCookie(&http.Cookie{Name: "handler", Value: "1", Path: "/"})
		s.Destroy()
		s.Set("bad", bad)
		return echo.NewHTTPError(http.StatusBadRequest, "handler body")
	}},
	{"flush then late headers", func(c echo.Context, s *sessions.Session, bad string) error {
		c.Response().Header().Set("X-Handler", "1")
		c.SetCookie(&http.Cookie{Name: "handler", Value: "1", Path: "/"})
		s.Destroy()
		s.Set("bad", bad)
		c.Response().WriteHeader(http.StatusAccepted)
		c.Response().Flush()
		c.Response().Header().Set("X-Handler", "late")
		c.SetCookie(&http.Cookie{Name: "late", Value: "1", Path: "/"})
		c.Response().Header().Set("Cache-Control", "public")
		_, err := c.Response().Write([]byte("handler body"))
		return err
	}},
	{"Save after Destroy", func(c echo.Context, s *sessions.Session, bad string) error {
		s.Destroy()
		if err := s.Save(); err != nil {
			return err
		}
		s.Set("bad", bad)
		return c.String(http.StatusOK, "handler body")
	}},
	{"handler Before hook", func(c echo.Context, s *sessions.Session, bad string) error {
		c.Response().Before(func() {
			c.Response().Header().Set("X-Handler", "1")
			c.SetCookie(&http.Cookie{Name: "handler", Value: "1", Path: "/"})
		})
		s.Destroy()
		s.Set("bad", bad)
		return c.String(http.StatusOK, "handler body")
	}},
}

// TestDestroyThenRefusedValueLogsOut checks, through the adapter, that a
// logout stands when the request then stores a value its final commit
// refuses (Options.MaxSize with the memory store, the cookie's size with
// the cookie store): the error handler answers, the answer expires the
// session cookie and is no-store, nothing the handler prepared leaks, and
// the old cookie carries no user any more.
func TestDestroyThenRefusedValueLogsOut(t *testing.T) {
	for _, store := range []string{"memory", "cookie"} {
		for _, hc := range logoutHandlers {
			for _, eh := range adaptertest.LogoutErrorHandlers {
				t.Run(store+"/"+hc.name+"/"+eh.Name, func(t *testing.T) {
					m, bad := adaptertest.RefusingManager(t, store, eh.Handler, func(o sessions.Options) *sessions.Manager {
						m, _ := newManager(t, o)
						return m
					})
					e := echo.New()
					e.Use(sessionecho.Middleware(m))
					e.GET("/app/login", func(c echo.Context) error {
						if err := sessionecho.Session(m, c).Login("alice"); err != nil {
							t.Errorf("Login: %v", err)
						}
						return c.String(200, "ok")
					})
					e.GET("/app/whoami", func(c echo.Context) error { return c.String(200, sessionecho.Session(m, c).User()) })
					e.GET("/app/logout", func(c echo.Context) error { return hc.h(c, sessionecho.Session(m, c), bad) })
					adaptertest.CheckLogout(t, serve(t, e), m, store, eh.Status)
				})
			}
		}
	}
}

// TestCookieIncrementTooLargeKeepsHandlerAnswer checks, through the
// adapter, that a cookie-store Increment whose count would not fit in the
// cookie is refused with ErrTooLarge at once, and that the handler's own
// answer goes out, not the error handler's 413.
func TestCookieIncrementTooLargeKeepsHandlerAnswer(t *testing.T) {
	m := adaptertest.CookieStoreManager(t, sessions.Options{})
	pad := strings.Repeat("x", 2000)
	key := strings.Repeat("k", 1200)
	e := echo.New()
	e.Use(sessionecho.Middleware(m))
	e.GET("/inc", func(c echo.Context) error {
		s := sessionecho.Session(m, c)
		s.Set("pad", pad)
		n, err := s.Increment(key, 1)
		if !errors.Is(err, sessions.ErrTooLarge) || n != 0 {
			t.Errorf("Increment = %d, %v; want 0, ErrTooLarge", n, err)
		}
		if s.Err() != nil {
			t.Errorf("session failed: %v", s.Err())
		}
		return c.String(200, "handler answer")
	})
	e.GET("/get", func(c echo.Context) error {
		s := sessionecho.Session(m, c)
		out := ""
		if s.GetString("pad") != pad {
			out += "no pad"
		}
		if _, ok := s.Lookup(key); ok {
			out += "counter stored"
		}
		return c.String(200, out)
	})
	srv := serve(t, e)
	resp, body := do(t, srv, "GET", "/inc", request{})
	if resp.StatusCode != 200 || body != "handler answer" {
		t.Errorf("response %d %q, want the handler's 200 %q", resp.StatusCode, body, "handler answer")
	}
	ck := mustCookie(t, resp, m)
	if _, body := do(t, srv, "GET", "/get", request{Cookie: ck}); body != "" {
		t.Errorf("next request: %q", body)
	}
}
