package sessiongin_test

import (
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sessionkit/sessions"
	sessiongin "github.com/sessionkit/sessions/adapters/gin"
)

// newEngine returns an engine with Middleware(m) and two routes the tests
// share: GET /values answers the session's values as JSON, GET /token a CSRF
// token.
func newEngine(m *sessions.Manager) *gin.Engine {
	e := gin.New()
	e.Use(sessiongin.Middleware(m))
	e.GET("/values", func(c *gin.Context) {
		c.JSON(http.StatusOK, sessiongin.Session(m, c).GetAll())
	})
	e.GET("/token", func(c *gin.Context) {
		c.String(http.StatusOK, sessiongin.Session(m, c).CSRFToken())
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
	e := newEngine(m)
	e.GET("/set", func(c *gin.Context) {
		sessiongin.Session(m, c).Set("name", "kataras")
		c.String(http.StatusOK, "set")
	})
	e.GET("/get", func(c *gin.Context) {
		c.String(http.StatusOK, sessiongin.Session(m, c).GetString("name"))
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

// TestCommitBeforeFirstByte starts the response each way gin offers, with
// the value "k" set before and "late" set after, and checks that the
// response carries the cookie and the status, which values were stored,
// and in how many store writes.
func TestCommitBeforeFirstByte(t *testing.T) {
	type write = func(c *gin.Context, s *sessions.Session)
	cases := []struct {
		name       string
		write      write
		wantStatus int
		wantBody   string
		wantType   string   // Content-Type prefix, if checked
		wantKeys   []string // the values stored, sorted
	}{{
		name:       "String",
		write:      func(c *gin.Context, s *sessions.Session) { c.String(http.StatusOK, "hi %s", "there") },
		wantStatus: 200, wantBody: "hi there", wantType: "text/plain", wantKeys: []string{"k"},
	}, {
		name:       "JSON",
		write:      func(c *gin.Context, s *sessions.Session) { c.JSON(http.StatusCreated, gin.H{"ok": true}) },
		wantStatus: 201, wantBody: `{"ok":true}`, wantType: "application/json", wantKeys: []string{"k"},
	}, {
		name: "Data",
		write: func(c *gin.Context, s *sessions.Session) {
			c.Data(http.StatusAccepted, "application/x-test", []byte("raw"))
		},
		wantStatus: 202, wantBody: "raw", wantType: "application/x-test", wantKeys: []string{"k"},
	}, {
		name:       "Writer.Write",
		write:      func(c *gin.Context, s *sessions.Session) { c.Writer.Write([]byte("w")) },
		wantStatus: 200, wantBody: "w", wantKeys: []string{"k"},
	}, {
		name:       "Writer.WriteString",
		write:      func(c *gin.Context, s *sessions.Session) { c.Writer.WriteString("ws") },
		wantStatus: 200, wantBody: "ws", wantKeys: []string{"k"},
	}, {
		name: "Status then WriteHeaderNow",
		write: func(c *gin.Context, s *sessions.Session) {
			c.Status(http.StatusAccepted)
			c.Writer.WriteHeaderNow()
		},
		wantStatus: 202, wantKeys: []string{"k"},
	}, {
		name:       "AbortWithStatus",
		write:      func(c *gin.Context, s *sessions.Session) { c.AbortWithStatus(http.StatusUnauthorized) },
		wantStatus: 401, wantKeys: []string{"k"},
	}, {
		name: "AbortWithStatusJSON",
		write: func(c *gin.Context, s *sessions.Session) {
			c.AbortWithStatusJSON(http.StatusConflict, gin.H{"error": "taken"})
		},
		wantStatus: 409, wantBody: `{"error":"taken"}`, wantType: "application/json", wantKeys: []string{"k"},
	}, {
		name:       "Redirect",
		write:      func(c *gin.Context, s *sessions.Session) { c.Redirect(http.StatusFound, "/elsewhere") },
		wantStatus: 302, wantKeys: []string{"k"},
	}, {
		name: "Stream",
		write: func(c *gin.Context, s *sessions.Session) {
			parts := []string{"a", "b", "c"}
			c.Stream(func(w io.Writer) bool {
				io.WriteString(w, parts[0])
				parts = parts[1:]
				return len(parts) > 0
			})
		},
		wantStatus: 200, wantBody: "abc", wantKeys: []string{"k"},
	}, {
		name:       "Writer.Flush",
		write:      func(c *gin.Context, s *sessions.Session) { c.Writer.Flush() },
		wantStatus: 200, wantKeys: []string{"k"},
	}, {
		name: "ResponseController.Flush",
		write: func(c *gin.Context, s *sessions.Session) {
			if err := http.NewResponseController(c.Writer).Flush(); err != nil {
				panic(err)
			}
		},
		wantStatus: 200, wantKeys: []string{"k"},
	}, {
		// No byte before the handler returns: the commit happens then, so
		// "late" is in that one commit.
		name:       "writes nothing",
		write:      func(c *gin.Context, s *sessions.Session) {},
		wantStatus: 200, wantKeys: []string{"k", "late"},
	}, {
		name:       "Status only",
		write:      func(c *gin.Context, s *sessions.Session) { c.Status(http.StatusNoContent) },
		wantStatus: 204, wantKeys: []string{"k", "late"},
	}, {
		// gin records the status without sending it: a value set between
		// c.Status and the first write is still committed.
		name: "Status, Set, then WriteString",
		write: func(c *gin.Context, s *sessions.Session) {
			c.Status(http.StatusCreated)
			s.Set("between", 1)
			c.Writer.WriteString("made")
		},
		wantStatus: 201, wantBody: "made", wantKeys: []string{"between", "k"},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, st := newManager(t, sessions.Options{})
			e := newEngine(m)
			done := make(chan struct{})
			e.GET("/", func(c *gin.Context) {
				s := sessiongin.Session(m, c)
				s.Set("k", "v")
				tc.write(c, s)
				s.Set("late", "x")
				close(done)
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
			keys := slices.Sorted(maps.Keys(got))
			if !slices.Equal(keys, wantKeys) {
				t.Errorf("stored keys %v, want %v", keys, wantKeys)
			}
		})
	}
}

// TestStatusReachesClient checks that gin's status codes, the router's
// included, go out unchanged whether or not the session is used.
func TestStatusReachesClient(t *testing.T) {
	m, _ := newManager(t, sessions.Options{})
	e := newEngine(m)
	e.HandleMethodNotAllowed = true
	e.GET("/created", func(c *gin.Context) {
		sessiongin.Session(m, c).Set("k", 1)
		c.Status(http.StatusCreated)
	})
	e.GET("/nocontent", func(c *gin.Context) { c.Status(http.StatusNoContent) })
	e.GET("/teapot", func(c *gin.Context) {
		sessiongin.Session(m, c).Set("k", 1)
		c.String(http.StatusTeapot, "short and stout")
	})
	e.POST("/post-only", func(c *gin.Context) {})
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
		{"/no/such/route", 404, "404 page not found", false},
		{"/post-only", 405, "405 method not allowed", false},
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

// TestWriterState checks that c.Writer answers Status, Size and Written
// inside the chain, and that middleware registered before Middleware gets
// gin's own writer and request back with the status and size sent.
func TestWriterState(t *testing.T) {
	m, _ := newManager(t, sessions.Options{})
	e := gin.New()
	type seen struct {
		sameWriter, sameRequest bool
		status, size            int
		hadSession              bool
	}
	var outer seen
	var before, after struct {
		status, size int
		written      bool
	}
	e.Use(func(c *gin.Context) {
		w, r := c.Writer, c.Request
		c.Next()
		outer = seen{c.Writer == w, c.Request == r, c.Writer.Status(), c.Writer.Size(), m.FromContext(c.Request.Context()) != nil}
	})
	e.Use(sessiongin.Middleware(m))
	var inner, handler *sessions.Session
	e.Use(func(c *gin.Context) { inner = sessiongin.Session(m, c) })
	e.GET("/", func(c *gin.Context) {
		handler = sessiongin.Session(m, c)
		handler.Set("k", 1)
		before.status, before.size, before.written = c.Writer.Status(), c.Writer.Size(), c.Writer.Written()
		c.String(http.StatusCreated, "hello")
		after.status, after.size, after.written = c.Writer.Status(), c.Writer.Size(), c.Writer.Written()
	})
	srv := serve(t, e)
	resp, _ := do(t, srv, "GET", "/", request{})
	mustCookie(t, resp, m)
	if before.status != 200 || before.size != -1 || before.written {
		t.Errorf("before writing: Status %d, Size %d, Written %v; want 200, -1, false", before.status, before.size, before.written)
	}
	if after.status != 201 || after.size != 5 || !after.written {
		t.Errorf("after c.String: Status %d, Size %d, Written %v; want 201, 5, true", after.status, after.size, after.written)
	}
	if want := (seen{true, true, 201, 5, false}); outer != want {
		t.Errorf("outer middleware after the chain saw %+v, want %+v", outer, want)
	}
	if inner == nil || inner != handler {
		t.Errorf("a middleware and the handler got different sessions")
	}
}

func TestCSRF(t *testing.T) {
	m, _ := newManager(t, sessions.Options{})
	e := newEngine(m)
	var ran atomic.Int32
	count := func(c *gin.Context) { ran.Add(1) }
	e.POST("/action", count, func(c *gin.Context) {
		ran.Add(1)
		c.String(http.StatusOK, "done")
	})
	checkCSRF(t, serve(t, e), m, &ran)
}

// TestStoreFailure checks that when the store fails the error handler's
// answer replaces everything the handler wrote, whatever way it wrote.
func TestStoreFailure(t *testing.T) {
	cases := []struct {
		name   string
		method string
		write  func(c *gin.Context)
	}{
		{"String", "GET", func(c *gin.Context) { c.String(http.StatusOK, "secret body") }},
		{"JSON", "GET", func(c *gin.Context) { c.JSON(http.StatusCreated, gin.H{"secret": "body"}) }},
		{"writes nothing", "GET", func(c *gin.Context) { c.Status(http.StatusAccepted) }},
		{"AbortWithStatus", "GET", func(c *gin.Context) { c.AbortWithStatus(http.StatusUnauthorized) }},
		{"Stream", "GET", func(c *gin.Context) {
			c.Stream(func(w io.Writer) bool { io.WriteString(w, "secret body"); return false })
		}},
		{"Redirect", "GET", func(c *gin.Context) { c.Redirect(http.StatusFound, "/secret") }},
		// The CSRF check loads the session: the store failure is answered,
		// not a CSRF refusal, and the handler never runs.
		{"POST", "POST", func(c *gin.Context) { panic("the handler ran") }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, st := newManager(t, sessions.Options{})
			e := newEngine(m)
			e.Handle(tc.method, "/", func(c *gin.Context) {
				s := sessiongin.Session(m, c)
				s.Set("k", "v")
				c.Header("X-Handler", "1")
				tc.write(c)
			})
			srv := serve(t, e)
			resp, _ := do(t, srv, "GET", "/token", request{})
			cookie := mustCookie(t, resp, m)
			st.Down.Store(true)

			resp, body := do(t, srv, tc.method, "/", request{Cookie: cookie})
			if resp.StatusCode != http.StatusServiceUnavailable {
				t.Errorf("status %d, want 503", resp.StatusCode)
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
	e := newEngine(m)
	e.GET("/plain", func(c *gin.Context) { c.String(http.StatusOK, "plain") })
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
	e := newEngine(m)
	e.GET("/set", func(c *gin.Context) { sessiongin.Session(m, c).Set("name", "kataras") })
	e.POST("/logout", func(c *gin.Context) {
		sessiongin.Session(m, c).Destroy()
		c.Status(http.StatusNoContent)
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
	e := newEngine(m)
	e.GET("/anon", func(c *gin.Context) {
		s := sessiongin.Session(m, c)
		s.Set("cart", "book")
		s.Set("planted", "x")
		c.String(http.StatusOK, s.CSRFToken())
	})
	e.POST("/login", func(c *gin.Context) {
		if err := sessiongin.Session(m, c).Login(c.PostForm("user")); err != nil {
			c.AbortWithStatus(http.StatusInternalServerError)
			return
		}
		c.Status(http.StatusNoContent)
	})
	e.GET("/whoami", func(c *gin.Context) { c.String(http.StatusOK, sessiongin.Session(m, c).User()) })
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
// gin.Recovery commits none of its changes, as under net/http.
func TestPanicCommitsNothing(t *testing.T) {
	m, st := newManager(t, sessions.Options{})
	e := gin.New()
	e.Use(gin.RecoveryWithWriter(io.Discard), sessiongin.Middleware(m))
	e.GET("/", func(c *gin.Context) {
		sessiongin.Session(m, c).Set("k", 1)
		panic("boom")
	})
	srv := serve(t, e)
	resp, _ := do(t, srv, "GET", "/", request{})
	if resp.StatusCode != http.StatusInternalServerError {
		t.Errorf("status %d, want gin.Recovery's 500", resp.StatusCode)
	}
	if sessionCookie(resp, m) != nil || st.Writes.Load() != 0 {
		t.Errorf("a panicking handler committed: cookie %q, %d writes", resp.Header.Values("Set-Cookie"), st.Writes.Load())
	}
}

// TestSessionWithoutMiddleware checks that Session works on its own, with
// every change written through at once as Manager.Start does.
func TestSessionWithoutMiddleware(t *testing.T) {
	m, _ := newManager(t, sessions.Options{})
	e := gin.New()
	e.GET("/set", func(c *gin.Context) {
		sessiongin.Session(m, c).Set("name", "kataras")
		c.String(http.StatusOK, "set")
	})
	e.GET("/get", func(c *gin.Context) { c.String(http.StatusOK, sessiongin.Session(m, c).GetString("name")) })
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
	e := gin.New()
	e.Use(sessiongin.Middleware(site))
	e.GET("/", func(c *gin.Context) {
		a, b := sessiongin.Session(site, c), sessiongin.Session(admin, c)
		if a == b || site.FromContext(c.Request.Context()) != a || admin.FromContext(c.Request.Context()) != nil {
			c.String(http.StatusInternalServerError, "sessions mixed up")
			return
		}
		a.Set("k", 1)
		c.String(http.StatusOK, "ok")
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

// TestHandleContext checks a request that gin re-runs through the chain
// with c.HandleContext (an internal redirect): the middleware serves both
// passes with one session, so the values set before and during the re-run
// are stored together under the one cookie the response carries. gin sends
// the header when the re-run chain ends, so a value the outer handler sets
// after HandleContext returns comes after the first byte: written through
// in a second store write, as under net/http.
func TestHandleContext(t *testing.T) {
	for _, tc := range []struct {
		name        string
		innerWrites bool // the re-run handler writes the response, else the outer one does after it
	}{
		{"inner handler writes", true},
		{"outer handler writes after", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, st := newManager(t, sessions.Options{})
			e := newEngine(m)
			e.GET("/outer", func(c *gin.Context) {
				sessiongin.Session(m, c).Set("before", 1)
				c.Request.URL.Path = "/inner"
				e.HandleContext(c)
				if !tc.innerWrites {
					sessiongin.Session(m, c).Set("after", 3)
					c.String(http.StatusOK, "outer")
				}
			})
			e.GET("/inner", func(c *gin.Context) {
				sessiongin.Session(m, c).Set("during", 2)
				if tc.innerWrites {
					c.String(http.StatusOK, "inner")
				}
			})
			e.GET("/get", func(c *gin.Context) {
				s := sessiongin.Session(m, c)
				c.String(http.StatusOK, "%v %v %v", s.Get("before"), s.Get("during"), s.Get("after"))
			})
			srv := serve(t, e)

			resp, body := do(t, srv, "GET", "/outer", request{})
			if want := map[bool]string{true: "inner", false: "outer"}[tc.innerWrites]; resp.StatusCode != http.StatusOK || body != want {
				t.Errorf("response %d %q, want 200 %q", resp.StatusCode, body, want)
			}
			if n := len(resp.Header.Values("Set-Cookie")); n != 1 {
				t.Fatalf("Set-Cookie lines = %q, want one", resp.Header.Values("Set-Cookie"))
			}
			wantWrites, wantValues := int32(1), "1 2 <nil>" // one session created
			if !tc.innerWrites {
				wantWrites, wantValues = 2, "1 2 3" // and "after" written through
			}
			if n := st.Writes.Load(); n != wantWrites {
				t.Errorf("store writes = %d, want %d", n, wantWrites)
			}
			if _, body := do(t, srv, "GET", "/get", request{Cookie: mustCookie(t, resp, m)}); body != wantValues {
				t.Errorf("stored values (before, during, after) = %q, want %q", body, wantValues)
			}
		})
	}
}

// TestNestedMiddleware checks the two other ways a request can meet a
// session of the same manager before Middleware: Middleware registered
// twice (on the engine and on a group), and the whole engine served under
// m.Handler. Either way the handler's value is stored under the one cookie
// the response carries, and gin's writer reports the status and size that
// went out.
func TestNestedMiddleware(t *testing.T) {
	for _, tc := range []struct {
		name  string
		build func(m *sessions.Manager, e *gin.Engine) http.Handler
	}{
		{"registered twice", func(m *sessions.Manager, e *gin.Engine) http.Handler { return e }},
		{"engine under m.Handler", func(m *sessions.Manager, e *gin.Engine) http.Handler { return m.Handler(e) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, st := newManager(t, sessions.Options{})
			e := newEngine(m)
			var status, size int
			e.Use(func(c *gin.Context) {
				c.Next()
				status, size = c.Writer.Status(), c.Writer.Size()
			})
			g := e.Group("/g")
			if tc.name == "registered twice" {
				g.Use(sessiongin.Middleware(m))
			}
			g.GET("/set", func(c *gin.Context) {
				sessiongin.Session(m, c).Set("k", "v")
				c.String(http.StatusAccepted, "done")
			})
			e.GET("/get", func(c *gin.Context) {
				c.String(http.StatusOK, sessiongin.Session(m, c).GetString("k"))
			})
			srv := httptest.NewServer(tc.build(m, e))
			t.Cleanup(srv.Close)

			resp, body := do(t, srv, "GET", "/g/set", request{})
			if resp.StatusCode != http.StatusAccepted || body != "done" {
				t.Errorf("response %d %q, want 202 done", resp.StatusCode, body)
			}
			if n := len(resp.Header.Values("Set-Cookie")); n != 1 {
				t.Fatalf("Set-Cookie lines = %q, want one", resp.Header.Values("Set-Cookie"))
			}
			if status != http.StatusAccepted || size != len("done") {
				t.Errorf("gin's writer reported status %d, size %d; want 202, 4", status, size)
			}
			if _, body := do(t, srv, "GET", "/get", request{Cookie: mustCookie(t, resp, m)}); body != "v" {
				t.Errorf("stored value = %q, want v", body)
			}
			if n := st.Writes.Load(); n != 1 {
				t.Errorf("store writes = %d, want 1", n)
			}
		})
	}
}

// TestHijack checks that a handler can take the connection over with
// c.Writer.Hijack (a WebSocket upgrade), under Middleware and with the
// whole engine under m.Handler too, and that the session's changes are
// stored before it gets the connection.
func TestHijack(t *testing.T) {
	for _, tc := range []struct {
		name  string
		build func(m *sessions.Manager, e *gin.Engine) http.Handler
	}{
		{"middleware", func(m *sessions.Manager, e *gin.Engine) http.Handler { return e }},
		{"engine under m.Handler", func(m *sessions.Manager, e *gin.Engine) http.Handler { return m.Handler(e) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, _ := newManager(t, sessions.Options{})
			e := newEngine(m)
			stored := make(chan any, 1)
			e.GET("/seed", func(c *gin.Context) {
				sessiongin.Session(m, c).Set("k", "v")
				c.String(http.StatusOK, "ok")
			})
			e.GET("/ws", func(c *gin.Context) {
				sessiongin.Session(m, c).Set("ws", "open")
				conn, brw, err := c.Writer.Hijack()
				if err != nil {
					t.Errorf("Hijack: %v", err)
					return
				}
				upgraded(m, c.Request, conn, brw, "ws", stored)
			})
			checkUpgraded(t, serve(t, tc.build(m, e)), m, stored, "open")
		})
	}
}

// bodyWriter is a gin middleware's writer wrapper, as gzip or body-capturing
// middleware install: it embeds gin's writer and has no Unwrap.
type bodyWriter struct {
	gin.ResponseWriter
	n *atomic.Int32
}

func (w *bodyWriter) Write(b []byte) (int, error) {
	w.n.Add(int32(len(b)))
	return w.ResponseWriter.Write(b)
}

// TestHandleContextWrappedWriter is TestHandleContext with a middleware
// registered before Middleware that wraps c.Writer, as gzip or
// body-capturing middleware do. gin's HandleContext puts its own writer
// back and the wrapping middleware wraps it again for the re-run: the
// re-run must still write through the request's one session, so the
// response carries its cookie and the values set before and during the
// re-run are stored under it, in one store write. A wrapper registered
// between two Middleware on the same pass is not such a re-run: its
// writes still reach the client through it.
func TestHandleContextWrappedWriter(t *testing.T) {
	for _, tc := range []struct {
		name  string
		twice bool // Middleware registered again after the wrapper
	}{
		{"wrapper before Middleware", false},
		{"wrapper between two Middleware", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, st := newManager(t, sessions.Options{})
			var wrapped atomic.Int32
			e := gin.New()
			if tc.twice {
				e.Use(sessiongin.Middleware(m))
			}
			e.Use(func(c *gin.Context) {
				c.Writer = &bodyWriter{c.Writer, &wrapped}
				c.Next()
			})
			e.Use(sessiongin.Middleware(m))
			e.GET("/outer", func(c *gin.Context) {
				sessiongin.Session(m, c).Set("before", 1)
				c.Request.URL.Path = "/inner"
				e.HandleContext(c)
			})
			e.GET("/inner", func(c *gin.Context) {
				sessiongin.Session(m, c).Set("during", 2)
				c.String(http.StatusOK, "inner")
			})
			e.GET("/get", func(c *gin.Context) {
				s := sessiongin.Session(m, c)
				c.String(http.StatusOK, "%v %v", s.Get("before"), s.Get("during"))
			})
			srv := serve(t, e)

			resp, body := do(t, srv, "GET", "/outer", request{})
			if resp.StatusCode != http.StatusOK || body != "inner" {
				t.Errorf("response %d %q, want 200 inner", resp.StatusCode, body)
			}
			if wrapped.Load() == 0 {
				t.Errorf("the body bypassed the wrapping middleware's writer")
			}
			if n := len(resp.Header.Values("Set-Cookie")); n != 1 {
				t.Fatalf("Set-Cookie lines = %q, want one (store writes: %d)", resp.Header.Values("Set-Cookie"), st.Writes.Load())
			}
			if n := st.Writes.Load(); n != 1 {
				t.Errorf("store writes = %d, want 1", n)
			}
			if _, body := do(t, srv, "GET", "/get", request{Cookie: mustCookie(t, resp, m)}); body != "1 2" {
				t.Errorf("stored values (before, during) = %q, want %q", body, "1 2")
			}
		})
	}
}

// TestErrorHandlerWithoutStatus checks that the handler's status does not
// reach the client when the commit fails and the error handler answers
// without a status of its own: the client gets what the error handler
// wrote with 200, as under sessions.Manager.Handler, not the status the
// handler recorded before its first byte.
func TestErrorHandlerWithoutStatus(t *testing.T) {
	handlers := []struct {
		name     string
		eh       func(w http.ResponseWriter, r *http.Request, err error)
		wantBody string
	}{
		{"silent", func(http.ResponseWriter, *http.Request, error) {}, ""},
		{"body only", func(w http.ResponseWriter, _ *http.Request, _ error) { io.WriteString(w, "try again later") }, "try again later"},
	}
	writes := []struct {
		name  string
		write func(c *gin.Context)
	}{
		{"String", func(c *gin.Context) { c.String(http.StatusCreated, "secret body") }},
		{"Redirect", func(c *gin.Context) { c.Redirect(http.StatusFound, "/secret") }},
		{"AbortWithStatus", func(c *gin.Context) { c.AbortWithStatus(http.StatusUnauthorized) }},
		{"writes nothing", func(c *gin.Context) { c.Status(http.StatusAccepted) }},
		{"Flush", func(c *gin.Context) { c.Status(http.StatusAccepted); c.Writer.Flush() }},
	}
	for _, eh := range handlers {
		for _, wr := range writes {
			t.Run(eh.name+"/"+wr.name, func(t *testing.T) {
				m, st := newManager(t, sessions.Options{ErrorHandler: eh.eh})
				e := newEngine(m)
				e.GET("/", func(c *gin.Context) {
					sessiongin.Session(m, c).Set("k", "v")
					wr.write(c)
				})
				srv := serve(t, e)
				resp, _ := do(t, srv, "GET", "/token", request{})
				cookie := mustCookie(t, resp, m)
				st.Down.Store(true)

				resp, body := do(t, srv, "GET", "/", request{Cookie: cookie})
				if resp.StatusCode != http.StatusOK || body != eh.wantBody {
					t.Errorf("got %d %q, want 200 %q: the error handler's answer, not the handler's status", resp.StatusCode, body, eh.wantBody)
				}
				if sessionCookie(resp, m) != nil || resp.Header.Get("Location") != "" {
					t.Errorf("the handler's headers leaked: %v", resp.Header)
				}
			})
		}
	}
}
