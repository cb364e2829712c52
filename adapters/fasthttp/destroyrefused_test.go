package sessionfasthttp_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/sessionkit/sessions"
	sessionfasthttp "github.com/sessionkit/sessions/adapters/fasthttp"
	"github.com/sessionkit/sessions/internal/adaptertest"
	"github.com/valyala/fasthttp"
)

// TestDestroyThenRefusedValueLogsOut: Destroy, then a value the final commit
// refuses, with and without a handler that prepared its own response.
func TestDestroyThenRefusedValueLogsOut(t *testing.T) {
	for _, store := range []string{"memory", "cookie"} {
		for _, leaky := range []bool{false, true} {
			for _, eh := range adaptertest.LogoutErrorHandlers {
				name := store + "/" + eh.Name
				if leaky {
					name += "/handler-headers"
				}
				t.Run(name, func(t *testing.T) {
					m, bad := adaptertest.RefusingManager(t, store, eh.Handler, func(o sessions.Options) *sessions.Manager {
						m, _ := newManager(t, o)
						return m
					})
					base, _ := serve(t, sessionfasthttp.Middleware(m)(routes{
						"/app/login": func(ctx *fasthttp.RequestCtx, s *sessions.Session) {
							if err := s.Login("alice"); err != nil {
								t.Errorf("Login: %v", err)
							}
							ctx.WriteString("ok")
						},
						"/app/whoami": func(ctx *fasthttp.RequestCtx, s *sessions.Session) { ctx.WriteString(s.User()) },
						"/app/logout": func(ctx *fasthttp.RequestCtx, s *sessions.Session) {
							if leaky {
								ctx.Response.Header.Set("X-Handler", "1")
								ctx.Response.Header.Set("Cache-Control", "public, max-age=600")
								ctx.Response.Header.Add("Set-Cookie", "handler=1; Path=/")
								ctx.Response.Header.Add("Set-Cookie", "sid=mine; Path=/app; Domain=example.com")
								ctx.Redirect("/app/bye", http.StatusFound)
								ctx.WriteString("handler body")
							}
							s.Destroy()
							s.Set("bad", bad)
						},
					}.handler(m)))
					c := newClient(t, base, m, nil)
					if resp, _ := c.get("/app/login"); resp.StatusCode != 200 || c.cookie == nil {
						t.Fatalf("login: %d, cookie %v", resp.StatusCode, c.cookie)
					}
					old := c.cookie
					resp, body := c.get("/app/logout")
					adaptertest.CheckLogoutAnswer(t, resp, body, eh.Status, old)
					if store == "memory" {
						c.cookie = old
						if _, who := c.get("/app/whoami"); who != "" {
							t.Errorf("the old cookie still carries user %q after the logout", who)
						}
					}
				})
			}
		}
	}
}

// TestCookieIncrementTooLargeKeepsHandlerAnswer: a cookie-store Increment that would not
// fit is refused with ErrTooLarge and the handler's own answer goes out.
func TestCookieIncrementTooLargeKeepsHandlerAnswer(t *testing.T) {
	m := adaptertest.CookieStoreManager(t, sessions.Options{})
	pad := strings.Repeat("x", 2000)
	key := strings.Repeat("k", 1200)
	base, _ := serve(t, sessionfasthttp.Middleware(m)(routes{
		"/inc": func(ctx *fasthttp.RequestCtx, s *sessions.Session) {
			s.Set("pad", pad)
			n, err := s.Increment(key, 1)
			if !errors.Is(err, sessions.ErrTooLarge) || n != 0 {
				t.Errorf("Increment = %d, %v; want 0, ErrTooLarge", n, err)
			}
			if s.Err() != nil {
				t.Errorf("session failed: %v", s.Err())
			}
			ctx.WriteString("handler answer")
		},
		"/get": func(ctx *fasthttp.RequestCtx, s *sessions.Session) {
			if s.GetString("pad") != pad {
				ctx.WriteString("no pad")
			}
			_, ok := s.Lookup(key)
			if ok {
				ctx.WriteString("counter stored")
			}
		},
	}.handler(m)))
	c := newClient(t, base, m, nil)
	resp, body := c.get("/inc")
	if resp.StatusCode != 200 || body != "handler answer" {
		t.Errorf("response %d %q, want the handler's 200 %q", resp.StatusCode, body, "handler answer")
	}
	if c.cookie == nil {
		t.Fatalf("no session cookie: %q", resp.Header.Values("Set-Cookie"))
	}
	if _, body := c.get("/get"); body != "" {
		t.Errorf("next request: %q", body)
	}
}
