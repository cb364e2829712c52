package sessionfasthttp_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/sessionkit/sessions"
	sessionfasthttp "github.com/sessionkit/sessions/adapters/fasthttp"
	"github.com/sessionkit/sessions/internal/adaptertest"
	"github.com/valyala/fasthttp"
)

// TestDestroyThenRefusedValueVariants is TestDestroyThenRefusedValueLogsOut
// for the other ways a logout request can end in a refused commit: a POST
// that passes the CSRF check, a Save between the logout and the refused
// value, a refused Save, a value the cookie store's codec refuses, and a
// login after the logout.
func TestDestroyThenRefusedValueVariants(t *testing.T) {
	for _, store := range []string{"memory", "cookie"} {
		for _, v := range []struct {
			name   string
			method string
			status int
			h      func(ctx *fasthttp.RequestCtx, s *sessions.Session, bad string)
		}{
			{"POST with CSRF", "POST", 413, func(ctx *fasthttp.RequestCtx, s *sessions.Session, bad string) {
				ctx.Response.Header.Set("X-Handler", "1")
				s.Destroy()
				s.Set("bad", bad)
				ctx.WriteString("handler body")
			}},
			{"Save after Destroy", "GET", 413, func(ctx *fasthttp.RequestCtx, s *sessions.Session, bad string) {
				s.Destroy()
				if err := s.Save(); err != nil {
					t.Errorf("Save: %v", err)
				}
				s.Set("bad", bad)
				ctx.WriteString("handler body")
			}},
			{"refused Save", "GET", 413, func(ctx *fasthttp.RequestCtx, s *sessions.Session, bad string) {
				s.Destroy()
				s.Set("bad", bad)
				if err := s.Save(); !errors.Is(err, sessions.ErrTooLarge) {
					t.Errorf("Save: %v, want ErrTooLarge", err)
				}
				ctx.WriteString("handler body")
			}},
			{"unencodable", "GET", 500, func(ctx *fasthttp.RequestCtx, s *sessions.Session, bad string) {
				s.Destroy()
				s.Set("bad", func() {})
				ctx.WriteString("handler body")
			}},
			{"Login after Destroy", "GET", 413, func(ctx *fasthttp.RequestCtx, s *sessions.Session, bad string) {
				s.Destroy()
				if err := s.Login("bob"); err != nil {
					t.Errorf("Login: %v", err)
				}
				s.Set("bad", bad)
				ctx.WriteString("handler body")
			}},
		} {
			if v.name == "unencodable" && store == "memory" {
				continue
			}
			t.Run(store+"/"+v.name, func(t *testing.T) {
				var st *testStore
				m, bad := adaptertest.RefusingManager(t, store, nil, func(o sessions.Options) *sessions.Manager {
					m, s := newManager(t, o)
					st = s
					return m
				})
				base, _ := serve(t, sessionfasthttp.Middleware(m)(routes{
					"/app/login": func(ctx *fasthttp.RequestCtx, s *sessions.Session) {
						s.Login("alice")
						ctx.WriteString(s.CSRFToken())
					},
					"/app/whoami": func(ctx *fasthttp.RequestCtx, s *sessions.Session) { ctx.WriteString(s.User()) },
					"/app/logout": func(ctx *fasthttp.RequestCtx, s *sessions.Session) { v.h(ctx, s, bad) },
				}.handler(m)))
				c := newClient(t, base, m, nil)
				_, tok := c.get("/app/login")
				old := c.cookie
				resp, body := c.do(v.method, "/app/logout", nil, "X-CSRF-Token", tok)
				adaptertest.CheckLogoutAnswer(t, resp, body, v.status, old)
				if st != nil {
					if n := st.Len(); n != 0 {
						t.Errorf("%d sessions stored after the logout", n)
					}
					c.cookie = old
					if _, who := c.get("/app/whoami"); who != "" {
						t.Errorf("old cookie still carries %q", who)
					}
				}
			})
		}
	}
}

// TestCookieIncrementTooLargeStoredSession is
// TestCookieIncrementTooLargeKeepsHandlerAnswer on a stored session, over
// the cookie's limit and over Options.MaxSize: a first Increment that fits
// counts, the oversized one is refused, and the handler's own answer goes
// out with the count that fit.
func TestCookieIncrementTooLargeStoredSession(t *testing.T) {
	for _, tc := range []struct {
		name    string
		maxSize int
		pad     int
		key     string
	}{
		{"cookie limit", 0, 2000, strings.Repeat("k", 1200)},
		{"MaxSize", 2000, 1900, strings.Repeat("k", 200)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := adaptertest.CookieStoreManager(t, sessions.Options{MaxSize: tc.maxSize})
			pad := strings.Repeat("x", tc.pad)
			base, _ := serve(t, sessionfasthttp.Middleware(m)(routes{
				"/seed": func(ctx *fasthttp.RequestCtx, s *sessions.Session) { s.Set("pad", pad); s.Set("n", 1) },
				"/inc": func(ctx *fasthttp.RequestCtx, s *sessions.Session) {
					if n, err := s.Increment("n", 1); n != 2 || err != nil {
						t.Errorf("Increment n = %d, %v", n, err)
					}
					n, err := s.Increment(tc.key, 1)
					if !errors.Is(err, sessions.ErrTooLarge) || n != 0 {
						t.Errorf("Increment = %d, %v; want 0, ErrTooLarge", n, err)
					}
					ctx.SetStatusCode(201)
					ctx.WriteString("handler answer")
				},
				"/get": func(ctx *fasthttp.RequestCtx, s *sessions.Session) {
					if _, ok := s.Lookup(tc.key); ok || s.GetInt("n") != 2 {
						ctx.WriteString("bad state")
					}
				},
			}.handler(m)))
			c := newClient(t, base, m, nil)
			c.get("/seed")
			if c.cookie == nil {
				t.Fatal("no cookie")
			}
			resp, body := c.get("/inc")
			if resp.StatusCode != 201 || body != "handler answer" {
				t.Errorf("response %d %q, want the handler's", resp.StatusCode, body)
			}
			if _, body := c.get("/get"); body != "" {
				t.Errorf("next: %q", body)
			}
		})
	}
}
