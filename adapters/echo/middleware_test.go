package sessionecho_test

import (
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/sessionkit/sessions"
	sessionecho "github.com/sessionkit/sessions/adapters/echo"
)

// newServer returns an echo server with Middleware(m) and two routes the
// tests share: GET /values answers the session's values as JSON, GET /token
// a CSRF token.
func newServer(m *sessions.Manager) *echo.Echo {
	e := echo.New()
	e.Use(sessionecho.Middleware(m))
	e.GET("/values", func(c echo.Context) error {
		return c.JSON(http.StatusOK, sessionecho.Session(m, c).GetAll())
	})
	e.GET("/token", func(c echo.Context) error {
		return c.String(http.StatusOK, sessionecho.Session(m, c).CSRFToken())
	})
	return e
}

// values returns the session's stored values as the next request sees them.
func values(t *testing.T, srv *httptest.Server, cookie *http.Cookie) map[string]any {
	t.Helper()
	resp, body := do(t, srv, "GET", "/values", request{Cookie: cookie})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /values: %d %q", resp.StatusCode, body)
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("GET /values: %v in %q", err, body)
	}
	return v
}

func TestCookieRoundTrip(t *testing.T) {
	m, _ := newManager(t, sessions.Options{})
	e := newServer(m)
	e.GET("/set", func(c echo.Context) error {
		sessionecho.Session(m, c).Set("name", "kataras")
		return c.String(http.StatusOK, "set")
	})
	e.GET("/get", func(c echo.Context) error {
		return c.String(http.StatusOK, sessionecho.Session(m, c).GetString("name"))
	})
	srv := serve(t, e)

	resp, _ := do(t, srv, "GET", "/set", request{})
	c := mustCookie(t, resp, m)
	for _, check := range []struct {
		what string
		ok   bool
	}{
		{"__Host- prefix", strings.HasPrefix(c.Name, "__Host-")},
		{"HttpOnly", c.HttpOnly},
		{"Secure", c.Secure},
		{"SameSite=Lax", c.SameSite == http.SameSiteLaxMode},
		{"Path=/", c.Path == "/"},
		{"no Domain", c.Domain == ""},
		{"Vary: Cookie", hasVaryCookie(resp)},
		{"Cache-Control: no-store", resp.Header.Get("Cache-Control") == "no-store"},
	} {
		if !check.ok {
			t.Errorf("session cookie %q: want %s", resp.Header.Values("Set-Cookie"), check.what)
		}
	}

	resp, body := do(t, srv, "GET", "/get", request{Cookie: c})
	if body != "kataras" {
		t.Errorf("next request read %q, want kataras", body)
	}
	if sessionCookie(resp, m) != nil {
		t.Errorf("a read-only request re-issued the cookie: %q", resp.Header.Values("Set-Cookie"))
	}
	if !hasVaryCookie(resp) {
		t.Errorf("read-only response lacks Vary: Cookie")
	}
}

// TestCommitBeforeFirstByte starts the response each way echo offers, with
// the value "k" set before and "late" set after, and checks that the
// response carries the cookie and the status, which values were stored,
// and in how many store writes.
func TestCommitBeforeFirstByte(t *testing.T) {
	type write = func(c echo.Context, s *sessions.Session) error
	cases := []struct {
		name       string
		write      write
		wantStatus int
		wantBody   string
		wantType   string   // Content-Type prefix, if checked
		wantKeys   []string // the values stored, sorted
	}{{
		name:       "String",
		write:      func(c echo.Context, s *sessions.Session) error { return c.String(http.StatusOK, "hi") },
		wantStatus: 200, wantBody: "hi", wantType: "text/plain", wantKeys: []string{"k"},
	}, {
		name: "JSON",
		write: func(c echo.Context, s *sessions.Session) error {
			return c.JSON(http.StatusCreated, echo.Map{"ok": true})
		},
		wantStatus: 201, wantBody: "{\"ok\":true}\n", wantType: "application/json", wantKeys: []string{"k"},
	}, {
		name: "Blob",
		write: func(c echo.Context, s *sessions.Session) error {
			return c.Blob(http.StatusAccepted, "application/x-test", []byte("raw"))
		},
		wantStatus: 202, wantBody: "raw", wantType: "application/x-test", wantKeys: []string{"k"},
	}, {
		name: "Stream",
		write: func(c echo.Context, s *sessions.Session) error {
			return c.Stream(http.StatusOK, "text/event-stream", strings.NewReader("data: a\n\n"))
		},
		wantStatus: 200, wantBody: "data: a\n\n", wantType: "text/event-stream", wantKeys: []string{"k"},
	}, {
		name:       "NoContent",
		write:      func(c echo.Context, s *sessions.Session) error { return c.NoContent(http.StatusNoContent) },
		wantStatus: 204, wantKeys: []string{"k"},
	}, {
		name:       "Redirect",
		write:      func(c echo.Context, s *sessions.Session) error { return c.Redirect(http.StatusFound, "/elsewhere") },
		wantStatus: 302, wantKeys: []string{"k"},
	}, {
		name: "Response.Write",
		write: func(c echo.Context, s *sessions.Session) error {
			_, err := c.Response().Write([]byte("w"))
			return err
		},
		wantStatus: 200, wantBody: "w", wantKeys: []string{"k"},
	}, {
		name: "Response.WriteHeader",
		write: func(c echo.Context, s *sessions.Session) error {
			c.Response().WriteHeader(http.StatusAccepted)
			return nil
		},
		wantStatus: 202, wantKeys: []string{"k"},
	}, {
		name: "Response.Flush",
		write: func(c echo.Context, s *sessions.Session) error {
			c.Response().Flush()
			return nil
		},
		wantStatus: 200, wantKeys: []string{"k"},
	}, {
		name: "write then ResponseController.Flush",
		write: func(c echo.Context, s *sessions.Session) error {
			c.Response().Write([]byte("part"))
			return http.NewResponseController(c.Response()).Flush()
		},
		wantStatus: 200, wantBody: "part", wantKeys: []string{"k"},
	}, {
		// No byte before the handler returns: the commit happens then, so
		// "late" is in that one commit.
		name:       "writes nothing",
		write:      func(c echo.Context, s *sessions.Session) error { return nil },
		wantStatus: 200, wantKeys: []string{"k", "late"},
	}, {
		// The HTTPErrorHandler answers after the middleware returned, so
		// after the commit.
		name:       "returns HTTPError",
		write:      func(c echo.Context, s *sessions.Session) error { return echo.NewHTTPError(http.StatusTeapot, "short") },
		wantStatus: 418, wantBody: "{\"message\":\"short\"}\n", wantType: "application/json", wantKeys: []string{"k", "late"},
	}, {
		name:       "returns an error",
		write:      func(c echo.Context, s *sessions.Session) error { return errors.New("failed") },
		wantStatus: 500, wantType: "application/json", wantKeys: []string{"k", "late"},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, st := newManager(t, sessions.Options{})
			e := newServer(m)
			done := make(chan struct{})
			e.GET("/", func(c echo.Context) error {
				s := sessionecho.Session(m, c)
				s.Set("k", "v")
				err := tc.write(c, s)
				s.Set("late", "x")
				close(done)
				return err
			})
			srv := serve(t, e)
			resp, body := do(t, srv, "GET", "/", request{})
			// A value set after a flush is written while the client
			// already reads the response: count the store's writes once
			// the handler is done.
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("the handler did not finish")
			}
			if resp.StatusCode != tc.wantStatus {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.wantStatus)
			}
			if tc.wantBody != "" && body != tc.wantBody {
				t.Errorf("body %q, want %q", body, tc.wantBody)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, tc.wantType) {
				t.Errorf("Content-Type %q, want %s", ct, tc.wantType)
			}
			c := mustCookie(t, resp, m)
			if !hasVaryCookie(resp) {
				t.Errorf("no Vary: Cookie")
			}
			// "late" rides in the one commit when nothing was sent
			// before the handler returned (wantKeys has it); once the
			// response has started it is written through in a second
			// store write.
			wantWrites, wantKeys := int32(1), tc.wantKeys
			if !slices.Contains(wantKeys, "late") {
				wantWrites, wantKeys = 2, slices.Sorted(slices.Values(append(slices.Clone(wantKeys), "late")))
			}
			if n := st.Writes.Load(); n != wantWrites {
				t.Errorf("%d store writes, want %d", n, wantWrites)
			}
			got := values(t, srv, c)
			if keys := slices.Sorted(maps.Keys(got)); !slices.Equal(keys, wantKeys) {
				t.Errorf("stored keys %v, want %v", keys, wantKeys)
			}
		})
	}
}

// TestStatusReachesClient checks that echo's status codes, the router's
// included, go out unchanged whether or not the session is used.
func TestStatusReachesClient(t *testing.T) {
	m, _ := newManager(t, sessions.Options{})
	e := newServer(m)
	e.GET("/created", func(c echo.Context) error {
		sessionecho.Session(m, c).Set("k", 1)
		return c.NoContent(http.StatusCreated)
	})
	e.GET("/nocontent", func(c echo.Context) error { return c.NoContent(http.StatusNoContent) })
	e.GET("/teapot", func(c echo.Context) error {
		sessionecho.Session(m, c).Set("k", 1)
		return c.String(http.StatusTeapot, "short and stout")
	})
	e.GET("/gone", func(c echo.Context) error {
		sessionecho.Session(m, c).Set("k", 1)
		return echo.NewHTTPError(http.StatusGone)
	})
	e.POST("/post-only", func(c echo.Context) error { return nil })
	srv := serve(t, e)

	cases := []struct {
		path       string
		wantStatus int
		wantBody   string
		wantCookie bool
	}{
		{"/created", 201, "", true},
		{"/nocontent", 204, "", false},
		{"/teapot", 418, "short and stout", true},
		{"/gone", 410, "{\"message\":\"Gone\"}\n", true},
		{"/no/such/route", 404, "{\"message\":\"Not Found\"}\n", false},
		{"/post-only", 405, "{\"message\":\"Method Not Allowed\"}\n", false},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			resp, body := do(t, srv, "GET", tc.path, request{})
			if resp.StatusCode != tc.wantStatus || body != tc.wantBody {
				t.Errorf("GET %s: %d %q, want %d %q", tc.path, resp.StatusCode, body, tc.wantStatus, tc.wantBody)
			}
			if got := sessionCookie(resp, m) != nil; got != tc.wantCookie {
				t.Errorf("GET %s: cookie issued = %v, want %v", tc.path, got, tc.wantCookie)
			}
		})
	}
}

// TestResponseState checks what c.Response() reports inside the chain, and
// that middleware registered before Middleware gets echo's own response and
// request back, with the status and size sent.
func TestResponseState(t *testing.T) {
	m, _ := newManager(t, sessions.Options{})
	e := echo.New()
	type seen struct {
		sameResponse, sameRequest bool
		status                    int
		size                      int64
		committed                 bool
		hadSession                bool
	}
	var outer seen
	var before, after seen
	e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			res, req := c.Response(), c.Request()
			err := next(c)
			r := c.Response()
			outer = seen{r == res, c.Request() == req, r.Status, r.Size, r.Committed, m.FromContext(c.Request().Context()) != nil}
			return err
		}
	})
	e.Use(sessionecho.Middleware(m))
	var inner, handler *sessions.Session
	e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			inner = sessionecho.Session(m, c)
			return next(c)
		}
	})
	e.GET("/", func(c echo.Context) error {
		handler = sessionecho.Session(m, c)
		handler.Set("k", 1)
		r := c.Response()
		before = seen{status: r.Status, size: r.Size, committed: r.Committed}
		err := c.String(http.StatusCreated, "hello")
		after = seen{status: r.Status, size: r.Size, committed: r.Committed}
		return err
	})
	srv := serve(t, e)
	resp, _ := do(t, srv, "GET", "/", request{})
	mustCookie(t, resp, m)
	if want := (seen{status: 200}); before != want {
		t.Errorf("before writing: %+v, want %+v", before, want)
	}
	if want := (seen{status: 201, size: 5, committed: true}); after != want {
		t.Errorf("after c.String: %+v, want %+v", after, want)
	}
	if want := (seen{true, true, 201, 5, true, false}); outer != want {
		t.Errorf("outer middleware after the chain saw %+v, want %+v", outer, want)
	}
	if inner == nil || inner != handler {
		t.Errorf("a middleware and the handler got different sessions")
	}
}

func TestCSRF(t *testing.T) {
	m, _ := newManager(t, sessions.Options{})
	e := newServer(m)
	var ran atomic.Int32
	count := func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error { ran.Add(1); return next(c) }
	}
	e.POST("/action", func(c echo.Context) error {
		ran.Add(1)
		return c.String(http.StatusOK, "done")
	}, count)
	checkCSRF(t, serve(t, e), m, &ran)
}

// TestStoreFailure checks that when the store fails the error handler's
// answer replaces everything the handler wrote or returned, and that
// middleware registered before Middleware sees the status that was sent.
func TestStoreFailure(t *testing.T) {
	cases := []struct {
		name   string
		method string
		write  func(c echo.Context) error
	}{
		{"String", "GET", func(c echo.Context) error { return c.String(http.StatusOK, "secret body") }},
		{"JSON", "GET", func(c echo.Context) error { return c.JSON(http.StatusCreated, echo.Map{"secret": "body"}) }},
		{"NoContent", "GET", func(c echo.Context) error { return c.NoContent(http.StatusAccepted) }},
		{"Stream", "GET", func(c echo.Context) error {
			return c.Stream(http.StatusOK, "text/plain", strings.NewReader("secret body"))
		}},
		{"Redirect", "GET", func(c echo.Context) error { return c.Redirect(http.StatusFound, "/secret") }},
		{"writes nothing", "GET", func(c echo.Context) error { return nil }},
		{"returns HTTPError", "GET", func(c echo.Context) error { return echo.NewHTTPError(http.StatusTeapot, "secret body") }},
		{"writes, then returns an error", "GET", func(c echo.Context) error {
			c.String(http.StatusOK, "secret body")
			return errors.New("secret error")
		}},
		// The CSRF check loads the session: the store failure is answered,
		// not a CSRF refusal, and the handler never runs.
		{"POST", "POST", func(c echo.Context) error { panic("the handler ran") }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, st := newManager(t, sessions.Options{})
			e := newServer(m)
			var outerStatus int
			e.Pre(func(next echo.HandlerFunc) echo.HandlerFunc {
				return func(c echo.Context) error {
					if err := next(c); err != nil {
						c.Error(err) // as echo's RequestLogger does, before reading the status
					}
					outerStatus = c.Response().Status
					return nil
				}
			})
			e.Add(tc.method, "/", func(c echo.Context) error {
				sessionecho.Session(m, c).Set("k", "v")
				c.Response().Header().Set("X-Handler", "1")
				return tc.write(c)
			})
			srv := serve(t, e)
			resp, _ := do(t, srv, "GET", "/token", request{})
			cookie := mustCookie(t, resp, m)
			st.Down.Store(true)

			resp, body := do(t, srv, tc.method, "/", request{Cookie: cookie})
			if resp.StatusCode != http.StatusServiceUnavailable || outerStatus != http.StatusServiceUnavailable {
				t.Errorf("status %d, outer middleware saw %d; want 503", resp.StatusCode, outerStatus)
			}
			if strings.Contains(body, "secret") || resp.Header.Get("X-Handler") != "" || resp.Header.Get("Location") != "" {
				t.Errorf("the handler's response leaked: body %q, headers %v", body, resp.Header)
			}
			if body != http.StatusText(http.StatusServiceUnavailable)+"\n" {
				t.Errorf("body %q, want the error handler's", body)
			}
			if sessionCookie(resp, m) != nil {
				t.Errorf("a failed request set the cookie")
			}
		})
	}
}

// TestLazyLoad checks that a handler that never uses the session costs no
// store call, even with a cookie and a store that is down.
func TestLazyLoad(t *testing.T) {
	m, st := newManager(t, sessions.Options{})
	e := newServer(m)
	e.GET("/plain", func(c echo.Context) error { return c.String(http.StatusOK, "plain") })
	srv := serve(t, e)
	resp, _ := do(t, srv, "GET", "/token", request{})
	cookie := mustCookie(t, resp, m)
	st.Down.Store(true)
	st.Loads.Store(0)
	resp, body := do(t, srv, "GET", "/plain", request{Cookie: cookie})
	if resp.StatusCode != 200 || body != "plain" || st.Loads.Load() != 0 {
		t.Errorf("untouched session: %d %q with %d loads; want 200 plain and no load", resp.StatusCode, body, st.Loads.Load())
	}
	if sessionCookie(resp, m) != nil || resp.Header.Get("Vary") != "" {
		t.Errorf("untouched session changed the headers: %v", resp.Header)
	}
}

func TestDestroy(t *testing.T) {
	m, _ := newManager(t, sessions.Options{})
	e := newServer(m)
	e.GET("/set", func(c echo.Context) error {
		sessionecho.Session(m, c).Set("name", "kataras")
		return nil
	})
	e.POST("/logout", func(c echo.Context) error {
		sessionecho.Session(m, c).Destroy()
		return c.NoContent(http.StatusNoContent)
	})
	srv := serve(t, e)
	resp, _ := do(t, srv, "GET", "/set", request{})
	cookie := mustCookie(t, resp, m)
	_, token := do(t, srv, "GET", "/token", request{Cookie: cookie})

	resp, _ = do(t, srv, "POST", "/logout", request{Cookie: cookie, Header: map[string]string{"X-CSRF-Token": token}})
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("logout: status %d", resp.StatusCode)
	}
	expired := mustCookie(t, resp, m)
	if expired.MaxAge >= 0 || expired.Value != "" {
		t.Errorf("logout cookie %q, want it expired", resp.Header.Values("Set-Cookie"))
	}
	if got := values(t, srv, cookie); len(got) != 0 {
		t.Errorf("the destroyed session still answers: %v", got)
	}
}

func TestLogin(t *testing.T) {
	m, _ := newManager(t, sessions.Options{KeepOnLogin: []string{"cart"}})
	e := newServer(m)
	e.GET("/anon", func(c echo.Context) error {
		s := sessionecho.Session(m, c)
		s.Set("cart", "book")
		s.Set("planted", "x")
		return c.String(http.StatusOK, s.CSRFToken())
	})
	e.POST("/login", func(c echo.Context) error {
		if err := sessionecho.Session(m, c).Login(c.FormValue("user")); err != nil {
			return err
		}
		return c.NoContent(http.StatusNoContent)
	})
	e.GET("/whoami", func(c echo.Context) error {
		return c.String(http.StatusOK, sessionecho.Session(m, c).User())
	})
	srv := serve(t, e)

	resp, token := do(t, srv, "GET", "/anon", request{})
	anon := mustCookie(t, resp, m)
	resp, _ = do(t, srv, "POST", "/login", request{
		Cookie: anon,
		Header: map[string]string{"X-CSRF-Token": token},
		Form:   url.Values{"user": {"alice"}}.Encode(),
	})
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("login: status %d", resp.StatusCode)
	}
	user := mustCookie(t, resp, m)
	if user.Value == anon.Value {
		t.Fatal("Login kept the session ID")
	}
	if _, who := do(t, srv, "GET", "/whoami", request{Cookie: user}); who != "alice" {
		t.Errorf("new ID: user %q, want alice", who)
	}
	if _, who := do(t, srv, "GET", "/whoami", request{Cookie: anon}); who != "" {
		t.Errorf("old ID still logged in as %q", who)
	}
	got := values(t, srv, user)
	if got["cart"] != "book" || got["planted"] != nil {
		t.Errorf("values after login %v, want only the cart", got)
	}
}

// TestPanicCommitsNothing checks that a handler that panics under
// middleware.Recover commits none of its changes, as under net/http.
func TestPanicCommitsNothing(t *testing.T) {
	m, st := newManager(t, sessions.Options{})
	e := echo.New()
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{DisablePrintStack: true}), sessionecho.Middleware(m))
	e.GET("/", func(c echo.Context) error {
		sessionecho.Session(m, c).Set("k", 1)
		panic("boom")
	})
	srv := serve(t, e)
	resp, _ := do(t, srv, "GET", "/", request{})
	if resp.StatusCode != http.StatusInternalServerError {
		t.Errorf("status %d, want the recovered 500", resp.StatusCode)
	}
	if sessionCookie(resp, m) != nil || st.Writes.Load() != 0 {
		t.Errorf("a panicking handler committed: cookie %q, %d writes", resp.Header.Values("Set-Cookie"), st.Writes.Load())
	}
}

// TestSessionWithoutMiddleware checks that Session works on its own, with
// every change written through at once as Manager.Start does.
func TestSessionWithoutMiddleware(t *testing.T) {
	m, _ := newManager(t, sessions.Options{})
	e := echo.New()
	e.GET("/set", func(c echo.Context) error {
		sessionecho.Session(m, c).Set("name", "kataras")
		return c.String(http.StatusOK, "set")
	})
	e.GET("/get", func(c echo.Context) error {
		return c.String(http.StatusOK, sessionecho.Session(m, c).GetString("name"))
	})
	srv := serve(t, e)
	resp, _ := do(t, srv, "GET", "/set", request{})
	cookie := mustCookie(t, resp, m)
	if _, body := do(t, srv, "GET", "/get", request{Cookie: cookie}); body != "kataras" {
		t.Errorf("read %q, want kataras", body)
	}
}

// TestTwoManagers checks that Session names its manager: under one
// manager's middleware, the other manager's session is its own.
func TestTwoManagers(t *testing.T) {
	site, _ := newManager(t, sessions.Options{})
	admin, _ := newManager(t, sessions.Options{CookieName: "__Host-admin"})
	e := echo.New()
	e.Use(sessionecho.Middleware(site))
	e.GET("/", func(c echo.Context) error {
		a, b := sessionecho.Session(site, c), sessionecho.Session(admin, c)
		ctx := c.Request().Context()
		if a == b || site.FromContext(ctx) != a || admin.FromContext(ctx) != nil {
			return c.String(http.StatusInternalServerError, "sessions mixed up")
		}
		a.Set("k", 1)
		return c.String(http.StatusOK, "ok")
	})
	srv := serve(t, e)
	resp, body := do(t, srv, "GET", "/", request{})
	if resp.StatusCode != 200 {
		t.Fatalf("%d %q", resp.StatusCode, body)
	}
	mustCookie(t, resp, site)
	if sessionCookie(resp, admin) != nil {
		t.Errorf("the untouched admin session set a cookie")
	}
}

// TestRegisteredTwice checks that Middleware applied to the whole server
// and again to a group gives the group's requests one session: values set
// by middleware between the two and by the handler land in the session the
// response's one cookie names, with one store write, and the status and
// size reach the middleware registered first.
func TestRegisteredTwice(t *testing.T) {
	m, st := newManager(t, sessions.Options{})
	e := newServer(m)
	var status int
	var size int64
	e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			err := next(c)
			status, size = c.Response().Status, c.Response().Size
			return err
		}
	})
	g := e.Group("/g", func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			sessionecho.Session(m, c).Set("between", "yes")
			return next(c)
		}
	}, sessionecho.Middleware(m))
	g.GET("/set", func(c echo.Context) error {
		sessionecho.Session(m, c).Set("k", "v")
		return c.String(http.StatusAccepted, "done")
	})
	srv := serve(t, e)

	resp, body := do(t, srv, "GET", "/g/set", request{})
	if resp.StatusCode != http.StatusAccepted || body != "done" {
		t.Errorf("response %d %q, want 202 done", resp.StatusCode, body)
	}
	if n := len(resp.Header.Values("Set-Cookie")); n != 1 {
		t.Fatalf("Set-Cookie lines = %q, want one", resp.Header.Values("Set-Cookie"))
	}
	if status != http.StatusAccepted || size != int64(len("done")) {
		t.Errorf("echo's response reported status %d, size %d; want 202, 4", status, size)
	}
	got := values(t, srv, mustCookie(t, resp, m))
	if got["k"] != "v" || got["between"] != "yes" {
		t.Errorf("stored values = %v, want k=v and between=yes", got)
	}
	if n := st.Writes.Load(); n != 1 {
		t.Errorf("store writes = %d, want 1", n)
	}
}

// TestHijack checks that a handler can take the connection over with
// c.Response().Hijack (a WebSocket upgrade), and that the session's changes
// are stored before it gets the connection.
func TestHijack(t *testing.T) {
	m, _ := newManager(t, sessions.Options{})
	e := newServer(m)
	stored := make(chan any, 1)
	e.GET("/seed", func(c echo.Context) error {
		sessionecho.Session(m, c).Set("k", "v")
		return c.String(http.StatusOK, "ok")
	})
	e.GET("/ws", func(c echo.Context) error {
		sessionecho.Session(m, c).Set("ws", "open")
		conn, brw, err := c.Response().Hijack()
		if err != nil {
			return err
		}
		return upgraded(m, c.Request(), conn, brw, "ws", stored)
	})
	checkUpgraded(t, serve(t, e), m, stored, "open")
}
