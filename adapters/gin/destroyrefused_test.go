package sessiongin_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/sessionkit/sessions"
	sessiongin "github.com/sessionkit/sessions/adapters/gin"
	"github.com/sessionkit/sessions/internal/adaptertest"
)

// logoutHandlers log out, store a value the final commit refuses, and
// prepare a response of their own in different ways, none of which may
// reach the client.
var logoutHandlers = []struct {
	name string
	h    func(c *gin.Context, s *sessions.Session, bad string)
}{
	{"body", func(c *gin.Context, s *sessions.Session, bad string) {
		s.Destroy()
		s.Set("bad", bad)
		c.String(http.StatusOK, "handler body")
	}},
	{"nothing written", func(c *gin.Context, s *sessions.Session, bad string) {
		s.Destroy()
		s.Set("bad", bad)
	}},
	{"handler headers", func(c *gin.Context, s *sessions.Session, bad string) {
		c.Header("X-Handler", "1")
		c.Header("Cache-Control", "public, max-age=600")
		c.SetCookie("handler", "1", 60, "/", "", false, false)
		c.Writer.Header().Add("Set-Cookie", "sid=mine; Path=/app; Domain=example.com")
		s.Destroy()
		s.Set("bad", bad)
		c.Redirect(http.StatusFound, "/app/bye")
	}},
	{"flush then late headers", func(c *gin.Context, s *sessions.Session, bad string) {
		c.Header("X-Handler", "1")
		c.SetCookie("handler", "1", 60, "/", "", false, false)
		s.Destroy()
		s.Set("bad", bad)
		c.Status(http.StatusAccepted)
		c.Writer.Flush()
		c.Header("X-Handler", "late")
		c.SetCookie("late", "1", 60, "/", "", false, false)
		c.Writer.Header().Set("Cache-Control", "public")
		c.String(http.StatusOK, "handler body")
	}},
	{"POST-less Save after Destroy", func(c *gin.Context, s *sessions.Session, bad string) {
		s.Destroy()
		if err := s.Save(); err != nil {
			panic(err)
		}
		s.Set("bad", bad)
		c.String(http.StatusOK, "handler body")
	}},
	{"handler headers, status only", func(c *gin.Context, s *sessions.Session, bad string) {
		c.Header("X-Handler", "1")
		c.SetCookie("handler", "1", 60, "/", "", false, false)
		s.Destroy()
		s.Set("bad", bad)
		c.Status(http.StatusAccepted)
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
					e := gin.New()
					e.Use(sessiongin.Middleware(m))
					e.GET("/app/login", func(c *gin.Context) {
						if err := sessiongin.Session(m, c).Login("alice"); err != nil {
							t.Errorf("Login: %v", err)
						}
						c.String(200, "ok")
					})
					e.GET("/app/whoami", func(c *gin.Context) { c.String(200, sessiongin.Session(m, c).User()) })
					e.GET("/app/logout", func(c *gin.Context) { hc.h(c, sessiongin.Session(m, c), bad) })
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
	e := gin.New()
	e.Use(sessiongin.Middleware(m))
	e.GET("/inc", func(c *gin.Context) {
		s := sessiongin.Session(m, c)
		s.Set("pad", pad)
		n, err := s.Increment(key, 1)
		if !errors.Is(err, sessions.ErrTooLarge) || n != 0 {
			t.Errorf("Increment = %d, %v; want 0, ErrTooLarge", n, err)
		}
		if s.Err() != nil {
			t.Errorf("session failed: %v", s.Err())
		}
		c.String(200, "handler answer")
	})
	e.GET("/get", func(c *gin.Context) {
		s := sessiongin.Session(m, c)
		if s.GetString("pad") != pad {
			c.String(200, "no pad")
		}
		if _, ok := s.Lookup(key); ok {
			c.String(200, "counter stored")
		}
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
