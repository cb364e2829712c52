package sessionfasthttp_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	sessionfasthttp "github.com/sessionkit/sessions/adapters/fasthttp"
	"github.com/sessionkit/sessions/stores/memory"
	"github.com/valyala/fasthttp"
)

// testStore is the memory store with switchable failures, a count of
// creates and the context of the last load.
type testStore struct {
	*memory.Store
	failLoad, failWrite atomic.Bool
	creates             atomic.Int32
	loadCtx             atomic.Value // context.Context
}

var errDown = fmt.Errorf("test store: %w", sessions.ErrStoreUnavailable)

func (s *testStore) Load(ctx context.Context, key string) (*sessions.Record, bool, error) {
	s.loadCtx.Store(ctx)
	if s.failLoad.Load() {
		return nil, false, errDown
	}
	return s.Store.Load(ctx, key)
}

func (s *testStore) Create(ctx context.Context, key string, r *sessions.Record) error {
	s.creates.Add(1)
	if s.failWrite.Load() {
		return errDown
	}
	return s.Store.Create(ctx, key, r)
}

func (s *testStore) Commit(ctx context.Context, key string, d *sessions.Delta) error {
	if s.failWrite.Load() {
		return errDown
	}
	return s.Store.Commit(ctx, key, d)
}

func newManager(t *testing.T, opts sessions.Options) (*sessions.Manager, *testStore) {
	t.Helper()
	mem := memory.New(memory.Options{})
	t.Cleanup(func() { mem.Close() })
	store := &testStore{Store: mem}
	if opts.Logger == nil {
		// Store errors are expected here; keep them out of the test log.
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	m, err := sessions.NewManager(store, opts)
	if err != nil {
		t.Fatal(err)
	}
	return m, store
}

// countingListener counts accepted connections.
type countingListener struct {
	net.Listener
	accepts atomic.Int32
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.accepts.Add(1)
	}
	return c, err
}

type quietLogger struct{}

func (quietLogger) Printf(string, ...any) {}

// serve runs h on a real fasthttp server on a loopback port and returns
// its base URL and listener.
func serve(t *testing.T, h fasthttp.RequestHandler) (string, *countingListener) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cl := &countingListener{Listener: ln}
	srv := &fasthttp.Server{Handler: h, Logger: quietLogger{}}
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Serve(cl)
	}()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.ShutdownWithContext(ctx)
		<-done
	})
	return "http://" + ln.Addr().String(), cl
}

// client is one browser: its own session cookie, kept by hand because
// net/http/cookiejar does not send Secure (__Host-) cookies over plain HTTP.
type client struct {
	t      *testing.T
	base   string
	name   string // the session cookie's name
	hc     *http.Client
	cookie *http.Cookie
}

func newClient(t *testing.T, base string, m *sessions.Manager, tr *http.Transport) *client {
	t.Helper()
	if tr == nil {
		tr = &http.Transport{}
		t.Cleanup(tr.CloseIdleConnections)
	}
	return &client{t: t, base: base, name: m.CookieName(), hc: &http.Client{
		Transport:     tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// do sends a request with the client's session cookie and returns the
// response with its body read. hdr is a list of name, value pairs.
func (c *client) do(method, path string, body io.Reader, hdr ...string) (*http.Response, string) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	if c.cookie != nil {
		req.AddCookie(&http.Cookie{Name: c.cookie.Name, Value: c.cookie.Value})
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		c.t.Fatal(err)
	}
	if sc := sessionCookie(resp, c.name); sc != nil {
		if sc.MaxAge < 0 {
			c.cookie = nil
		} else {
			c.cookie = sc
		}
	}
	return resp, string(b)
}

func (c *client) get(path string, hdr ...string) (*http.Response, string) {
	c.t.Helper()
	return c.do(http.MethodGet, path, nil, hdr...)
}

func sessionCookie(resp *http.Response, name string) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// routes is a small router for tests: path to handler.
type routes map[string]func(ctx *fasthttp.RequestCtx, s *sessions.Session)

func (rs routes) handler(m *sessions.Manager) fasthttp.RequestHandler {
	return func(ctx *fasthttp.RequestCtx) {
		h, ok := rs[string(ctx.Path())]
		if !ok {
			ctx.NotFound()
			return
		}
		h(ctx, sessionfasthttp.Session(m, ctx))
	}
}

// basic are the routes most tests use.
func basic() routes {
	return routes{
		"/set":     func(ctx *fasthttp.RequestCtx, s *sessions.Session) { s.Set("name", "gopher"); ctx.WriteString("ok") },
		"/get":     func(ctx *fasthttp.RequestCtx, s *sessions.Session) { ctx.WriteString(s.GetString("name")) },
		"/token":   func(ctx *fasthttp.RequestCtx, s *sessions.Session) { ctx.WriteString(s.CSRFToken()) },
		"/destroy": func(ctx *fasthttp.RequestCtx, s *sessions.Session) { s.Destroy() },
		"/new":     func(ctx *fasthttp.RequestCtx, s *sessions.Session) { fmt.Fprint(ctx, s.IsNew()) },
	}
}

func TestCookieRoundTrip(t *testing.T) {
	cases := []struct {
		name       string
		opts       sessions.Options
		cookieName string
		secure     bool
	}{
		{"defaults", sessions.Options{}, "__Host-id", true},
		{"plain HTTP opt-out", sessions.Options{CookieName: "sid", Secure: sessions.SecureNever, AllowInsecure: true}, "sid", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, _ := newManager(t, tc.opts)
			base, _ := serve(t, sessionfasthttp.Middleware(m)(basic().handler(m)))
			c := newClient(t, base, m, nil)

			resp, body := c.get("/set")
			if resp.StatusCode != http.StatusOK || body != "ok" {
				t.Fatalf("/set = %d %q", resp.StatusCode, body)
			}
			if n := len(resp.Header.Values("Set-Cookie")); n != 1 {
				t.Fatalf("%d Set-Cookie lines, want 1: %q", n, resp.Header.Values("Set-Cookie"))
			}
			ck := sessionCookie(resp, tc.cookieName)
			if ck == nil {
				t.Fatalf("no %s cookie in %q", tc.cookieName, resp.Header.Values("Set-Cookie"))
			}
			if !ck.HttpOnly || ck.Secure != tc.secure || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.Domain != "" {
				t.Errorf("cookie %q: HttpOnly=%v Secure=%v SameSite=%v Path=%q Domain=%q; want HttpOnly, Secure=%v, Lax, /, no Domain",
					resp.Header.Get("Set-Cookie"), ck.HttpOnly, ck.Secure, ck.SameSite, ck.Path, ck.Domain, tc.secure)
			}
			if got := resp.Header.Get("Vary"); !strings.Contains(got, "Cookie") {
				t.Errorf("Vary = %q, want Cookie", got)
			}
			if got := resp.Header.Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control = %q, want no-store on a response setting the cookie", got)
			}

			resp, body = c.get("/get")
			if body != "gopher" {
				t.Errorf("/get = %q, want the value set by the previous request", body)
			}
			if v := resp.Header.Values("Set-Cookie"); len(v) != 0 {
				t.Errorf("read-only request re-issued the cookie: %q", v)
			}
			if got := resp.Header.Get("Vary"); got != "Cookie" {
				t.Errorf("read-only request: Vary = %q, want Cookie", got)
			}
		})
	}
}

func TestConcurrentRequestsOneSession(t *testing.T) {
	const n = 50
	cases := []struct {
		name  string
		write func(ctx *fasthttp.RequestCtx, s *sessions.Session)
		check func(s *sessions.Session) string // "" when the result is right
	}{
		{
			name:  "distinct keys",
			write: func(ctx *fasthttp.RequestCtx, s *sessions.Session) { s.Set(string(ctx.QueryArgs().Peek("k")), true) },
			check: func(s *sessions.Session) string {
				for i := range n {
					if !s.GetBool(fmt.Sprintf("k%d", i)) {
						return fmt.Sprintf("key k%d lost; %d values", i, s.Len())
					}
				}
				return ""
			},
		},
		{
			name: "Increment",
			write: func(ctx *fasthttp.RequestCtx, s *sessions.Session) {
				if _, err := s.Increment("n", 1); err != nil {
					ctx.Error(err.Error(), fasthttp.StatusInternalServerError)
				}
			},
			check: func(s *sessions.Session) string {
				if got := s.GetInt64("n"); got != n {
					return fmt.Sprintf("n = %d, want %d", got, n)
				}
				return ""
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, _ := newManager(t, sessions.Options{})
			var result atomic.Value
			rs := basic()
			rs["/write"] = tc.write
			rs["/check"] = func(ctx *fasthttp.RequestCtx, s *sessions.Session) { result.Store(tc.check(s)) }
			base, _ := serve(t, sessionfasthttp.Middleware(m)(rs.handler(m)))
			c := newClient(t, base, m, nil)
			c.get("/set")
			if c.cookie == nil {
				t.Fatal("no session cookie")
			}

			var wg sync.WaitGroup
			errs := make(chan string, n)
			for i := range n {
				wg.Go(func() {
					// One browser, many tabs: same cookie, own requests.
					req, _ := http.NewRequest("GET", fmt.Sprintf("%s/write?k=k%d", base, i), nil)
					req.AddCookie(c.cookie)
					resp, err := c.hc.Do(req)
					if err != nil {
						errs <- err.Error()
						return
					}
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						errs <- fmt.Sprintf("request %d: status %d", i, resp.StatusCode)
					}
				})
			}
			wg.Wait()
			close(errs)
			for e := range errs {
				t.Error(e)
			}
			c.get("/check")
			if msg, _ := result.Load().(string); msg != "" {
				t.Error(msg)
			}
		})
	}
}

func TestHandlerResponseReachesClient(t *testing.T) {
	cases := []struct {
		name    string
		handler func(ctx *fasthttp.RequestCtx)
		status  int
		body    string
		check   func(t *testing.T, resp *http.Response)
	}{
		{"201 with body", func(ctx *fasthttp.RequestCtx) {
			ctx.SetStatusCode(fasthttp.StatusCreated)
			ctx.WriteString("made")
		}, 201, "made", nil},
		{"204", func(ctx *fasthttp.RequestCtx) { ctx.SetStatusCode(fasthttp.StatusNoContent) }, 204, "", nil},
		{"404 by NotFound", func(ctx *fasthttp.RequestCtx) { ctx.NotFound() }, 404, "404 Page not found", nil},
		{"writes nothing", func(ctx *fasthttp.RequestCtx) {}, 200, "", nil},
		{"redirect", func(ctx *fasthttp.RequestCtx) { ctx.Redirect("/next", fasthttp.StatusSeeOther) }, 303, "", func(t *testing.T, resp *http.Response) {
			if loc := resp.Header.Get("Location"); !strings.HasSuffix(loc, "/next") {
				t.Errorf("Location = %q", loc)
			}
		}},
		{"streamed body", func(ctx *fasthttp.RequestCtx) {
			ctx.SetBodyStreamWriter(func(w *bufio.Writer) {
				w.WriteString("part1,")
				w.Flush()
				time.Sleep(10 * time.Millisecond)
				w.WriteString("part2")
			})
		}, 200, "part1,part2", func(t *testing.T, resp *http.Response) {
			if len(resp.TransferEncoding) == 0 || resp.TransferEncoding[0] != "chunked" {
				t.Errorf("TransferEncoding = %v, want a chunked stream", resp.TransferEncoding)
			}
		}},
		{"own headers and cookie", func(ctx *fasthttp.RequestCtx) {
			ctx.Response.Header.Set("X-App", "1")
			ctx.Response.Header.Set("Vary", "Accept-Encoding")
			ctx.Response.Header.Set("Cache-Control", "public, max-age=60")
			var ck fasthttp.Cookie
			ck.SetKey("theme")
			ck.SetValue("dark")
			ctx.Response.Header.SetCookie(&ck)
			ctx.WriteString("page")
		}, 200, "page", func(t *testing.T, resp *http.Response) {
			if resp.Header.Get("X-App") != "1" {
				t.Errorf("handler's X-App header lost")
			}
			if sessionCookie(resp, "theme") == nil {
				t.Errorf("handler's cookie lost: %q", resp.Header.Values("Set-Cookie"))
			}
			vary := strings.Join(resp.Header.Values("Vary"), ", ")
			if !strings.Contains(vary, "Accept-Encoding") || !strings.Contains(vary, "Cookie") {
				t.Errorf("Vary = %q, want Accept-Encoding and Cookie", vary)
			}
			if cc := resp.Header.Values("Cache-Control"); len(cc) != 1 || cc[0] != "no-store" {
				t.Errorf("Cache-Control = %q, want only no-store on a response setting the session cookie", cc)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, _ := newManager(t, sessions.Options{})
			base, _ := serve(t, sessionfasthttp.Middleware(m)(func(ctx *fasthttp.RequestCtx) {
				sessionfasthttp.Session(m, ctx).Set("k", 1)
				tc.handler(ctx)
			}))
			c := newClient(t, base, m, nil)
			resp, body := c.get("/")
			if resp.StatusCode != tc.status || body != tc.body {
				t.Errorf("got %d %q, want %d %q", resp.StatusCode, body, tc.status, tc.body)
			}
			if sessionCookie(resp, m.CookieName()) == nil {
				t.Errorf("no session cookie; Set-Cookie = %q", resp.Header.Values("Set-Cookie"))
			}
			if tc.check != nil {
				tc.check(t, resp)
			}
		})
	}
}

func multipartBody(t *testing.T, fields ...string) (io.Reader, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for i := 0; i+1 < len(fields); i += 2 {
		mw.WriteField(fields[i], fields[i+1])
	}
	mw.Close()
	return &buf, mw.FormDataContentType()
}

func TestCSRF(t *testing.T) {
	m, _ := newManager(t, sessions.Options{})
	var ran atomic.Int32
	rs := basic()
	rs["/act"] = func(ctx *fasthttp.RequestCtx, s *sessions.Session) {
		ran.Add(1)
		// The handler still finds the form the middleware parsed.
		ctx.Write(ctx.FormValue("other"))
	}
	base, _ := serve(t, sessionfasthttp.Middleware(m)(rs.handler(m)))
	c := newClient(t, base, m, nil)
	_, token := c.get("/token")
	if token == "" || c.cookie == nil {
		t.Fatal("no CSRF token or session")
	}
	form := url.Values{"csrf_token": {token}, "other": {"x"}}.Encode()
	cases := []struct {
		name   string
		method string
		body   func() (io.Reader, string) // body and Content-Type
		hdr    []string
		status int
		echo   string
	}{
		{"no token", "POST", nil, nil, 403, ""},
		{"wrong token", "POST", nil, []string{"X-CSRF-Token", "AAAA" + token[4:]}, 403, ""},
		{"header token", "POST", nil, []string{"X-CSRF-Token", token}, 200, ""},
		{"header token, same-origin", "POST", nil, []string{"X-CSRF-Token", token, "Sec-Fetch-Site", "same-origin"}, 200, ""},
		{"header token, cross-site", "POST", nil, []string{"X-CSRF-Token", token, "Sec-Fetch-Site", "cross-site"}, 403, ""},
		{"header token, foreign Origin", "POST", nil, []string{"X-CSRF-Token", token, "Origin", "https://evil.example"}, 403, ""},
		{"header token, own Origin", "POST", nil, []string{"X-CSRF-Token", token, "Origin", base}, 200, ""},
		{"DELETE with header token", "DELETE", nil, []string{"X-CSRF-Token", token}, 200, ""},
		{"urlencoded form field", "POST", func() (io.Reader, string) {
			return strings.NewReader(form), "application/x-www-form-urlencoded"
		}, nil, 200, "x"},
		{"urlencoded form without token", "POST", func() (io.Reader, string) {
			return strings.NewReader("other=x"), "application/x-www-form-urlencoded"
		}, nil, 403, ""},
		{"multipart form field", "POST", func() (io.Reader, string) {
			return multipartBody(t, "csrf_token", token, "other", "y")
		}, nil, 200, "y"},
		{"multipart form without token", "POST", func() (io.Reader, string) {
			return multipartBody(t, "other", "y")
		}, nil, 403, ""},
		{"GET needs no token", "GET", nil, nil, 200, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := ran.Load()
			var body io.Reader
			hdr := tc.hdr
			if tc.body != nil {
				var ct string
				body, ct = tc.body()
				hdr = append([]string{"Content-Type", ct}, hdr...)
			}
			resp, got := c.do(tc.method, "/act", body, hdr...)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d (%q), want %d", resp.StatusCode, got, tc.status)
			}
			runs := ran.Load() - before
			switch {
			case tc.status == 403 && runs != 0:
				t.Errorf("handler ran on a refused request")
			case tc.status == 403 && !strings.Contains(got, "CSRF"):
				t.Errorf("body %q, want the CSRF refusal", got)
			case tc.status == 200 && runs != 1:
				t.Errorf("handler ran %d times, want once", runs)
			case tc.status == 200 && got != tc.echo:
				t.Errorf("handler saw form field other = %q, want %q", got, tc.echo)
			}
		})
	}
}

// An exempt pattern matches the request's method, host and path as the core
// sees them.
func TestCSRFExemptPattern(t *testing.T) {
	m, _ := newManager(t, sessions.Options{CSRF: sessions.CSRFOptions{ExemptPatterns: []string{"POST /hooks/{name}"}}})
	base, _ := serve(t, sessionfasthttp.Middleware(m)(func(ctx *fasthttp.RequestCtx) { ctx.WriteString("ran") }))
	c := newClient(t, base, m, nil)
	for _, tc := range []struct {
		path   string
		status int
	}{
		{"/hooks/deploy", 200},
		{"/hooks/deploy?x=1", 200},
		{"/other", 403},
		{"/hooks/a/b", 403},
	} {
		if resp, body := c.do("POST", tc.path, nil, "Sec-Fetch-Site", "cross-site"); resp.StatusCode != tc.status {
			t.Errorf("POST %s: %d %q, want %d", tc.path, resp.StatusCode, body, tc.status)
		}
	}
}

func TestStoreFailureAnswersWithErrorHandler(t *testing.T) {
	// page is what a handler prepares; none of it may reach the client.
	page := func(ctx *fasthttp.RequestCtx) {
		ctx.Response.Header.Set("X-App", "1")
		var ck fasthttp.Cookie
		ck.SetKey("theme")
		ck.SetValue("dark")
		ctx.Response.Header.SetCookie(&ck)
		ctx.SetStatusCode(fasthttp.StatusCreated)
		ctx.WriteString("secret")
	}
	cases := []struct {
		name      string
		failLoad  bool
		failWrite bool
		anonymous bool // no session cookie
		method    string
		handler   func(ctx *fasthttp.RequestCtx, s *sessions.Session)
		ran       bool // whether the handler runs
	}{
		{"load fails", true, false, false, "GET", func(ctx *fasthttp.RequestCtx, s *sessions.Session) { _ = s.Get("name"); page(ctx) }, true},
		{"commit fails", false, true, false, "GET", func(ctx *fasthttp.RequestCtx, s *sessions.Session) { s.Set("x", 1); page(ctx) }, true},
		{"create fails", false, true, true, "GET", func(ctx *fasthttp.RequestCtx, s *sessions.Session) { s.Set("x", 1); page(ctx) }, true},
		{"commit fails under a streamed body", false, true, false, "GET", func(ctx *fasthttp.RequestCtx, s *sessions.Session) {
			s.Set("x", 1)
			page(ctx)
			ctx.SetBodyStreamWriter(func(w *bufio.Writer) { w.WriteString("secret stream") })
		}, true},
		{"load fails in the CSRF check", true, false, false, "POST", func(ctx *fasthttp.RequestCtx, s *sessions.Session) { page(ctx) }, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, store := newManager(t, sessions.Options{})
			var ran atomic.Bool
			rs := basic()
			rs["/page"] = func(ctx *fasthttp.RequestCtx, s *sessions.Session) { ran.Store(true); tc.handler(ctx, s) }
			base, _ := serve(t, sessionfasthttp.Middleware(m)(rs.handler(m)))
			c := newClient(t, base, m, nil)
			c.get("/set")
			if tc.anonymous {
				c.cookie = nil
			}
			store.failLoad.Store(tc.failLoad)
			store.failWrite.Store(tc.failWrite)

			resp, body := c.do(tc.method, "/page", nil)
			if resp.StatusCode != http.StatusServiceUnavailable || body != "Service Unavailable\n" {
				t.Errorf("got %d %q, want the error handler's 503", resp.StatusCode, body)
			}
			if v := resp.Header.Values("Set-Cookie"); len(v) != 0 {
				t.Errorf("Set-Cookie = %q, want none", v)
			}
			if resp.Header.Get("X-App") != "" {
				t.Errorf("the handler's header reached the client")
			}
			if got := resp.Header.Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control = %q, want the error handler's no-store", got)
			}
			if ran.Load() != tc.ran {
				t.Errorf("handler ran = %v, want %v", ran.Load(), tc.ran)
			}

			// The server is fine once the store is back.
			store.failLoad.Store(false)
			store.failWrite.Store(false)
			if resp, _ := c.get("/set"); resp.StatusCode != http.StatusOK {
				t.Errorf("after recovery: %d", resp.StatusCode)
			}
		})
	}
}

// An error handler that writes nothing still keeps the handler's response
// from the client.
func TestSilentErrorHandler(t *testing.T) {
	m, store := newManager(t, sessions.Options{ErrorHandler: func(http.ResponseWriter, *http.Request, error) {}})
	base, _ := serve(t, sessionfasthttp.Middleware(m)(func(ctx *fasthttp.RequestCtx) {
		sessionfasthttp.Session(m, ctx).Set("x", 1)
		ctx.Response.Header.Set("X-App", "1")
		ctx.SetStatusCode(fasthttp.StatusCreated)
		ctx.WriteString("secret")
	}))
	store.failWrite.Store(true)
	resp, body := newClient(t, base, m, nil).get("/")
	if resp.StatusCode != http.StatusOK || body != "" || resp.Header.Get("X-App") != "" || len(resp.Cookies()) != 0 {
		t.Errorf("got %d %q, X-App=%q, cookies %v; want an empty 200", resp.StatusCode, body, resp.Header.Get("X-App"), resp.Cookies())
	}
}

func TestDestroyAndLogin(t *testing.T) {
	m, _ := newManager(t, sessions.Options{})
	rs := basic()
	rs["/login"] = func(ctx *fasthttp.RequestCtx, s *sessions.Session) {
		if err := s.Login("alice"); err != nil {
			ctx.Error(err.Error(), fasthttp.StatusInternalServerError)
		}
	}
	rs["/whoami"] = func(ctx *fasthttp.RequestCtx, s *sessions.Session) { ctx.WriteString(s.User()) }
	base, _ := serve(t, sessionfasthttp.Middleware(m)(rs.handler(m)))

	t.Run("Destroy", func(t *testing.T) {
		c := newClient(t, base, m, nil)
		c.get("/set")
		old := c.cookie
		resp, _ := c.get("/destroy")
		ck := sessionCookie(resp, m.CookieName())
		if ck == nil || ck.MaxAge >= 0 || ck.Value != "" {
			t.Fatalf("Destroy: Set-Cookie = %q, want the cookie expired", resp.Header.Values("Set-Cookie"))
		}
		c.cookie = old
		if _, body := c.get("/get"); body != "" {
			t.Errorf("destroyed session still holds name = %q", body)
		}
		if _, body := c.get("/new"); body != "true" {
			t.Errorf("old cookie after Destroy: IsNew = %s, want true", body)
		}
	})

	t.Run("Login", func(t *testing.T) {
		c := newClient(t, base, m, nil)
		_, token := c.get("/token")
		before := c.cookie
		resp, body := c.do("POST", "/login", nil, "X-CSRF-Token", token, "User-Agent", "agent-at-login")
		after := sessionCookie(resp, m.CookieName())
		if resp.StatusCode != http.StatusOK || after == nil || after.Value == before.Value {
			t.Fatalf("Login: %d %q, cookie %v; want a new ID", resp.StatusCode, body, after)
		}
		if _, who := c.get("/whoami", "User-Agent", "agent-later"); who != "alice" {
			t.Errorf("new ID: user = %q, want alice", who)
		}
		c.cookie = before
		if _, who := c.get("/whoami", "User-Agent", "x-x-x-x-x-x-x"); who != "" {
			t.Errorf("old ID after Login: user = %q, want none", who)
		}
		// Login recorded the User-Agent of its own request, not whatever
		// later requests on the same connection left in fasthttp's buffers.
		list, err := m.UserSessions(context.Background(), "alice")
		if err != nil || len(list) != 1 {
			t.Fatalf("UserSessions = %v, %v", list, err)
		}
		if list[0].UserAgent != "agent-at-login" {
			t.Errorf("recorded User-Agent = %q, want agent-at-login", list[0].UserAgent)
		}
	})
}

// Two browsers take turns on one keep-alive connection, so fasthttp serves
// them with the same reused RequestCtx; neither ever sees the other's
// session, and a request without a cookie sees none.
func TestNoLeakAcrossRequests(t *testing.T) {
	m, _ := newManager(t, sessions.Options{})
	rs := routes{
		"/claim": func(ctx *fasthttp.RequestCtx, s *sessions.Session) {
			s.Set("owner", string(ctx.QueryArgs().Peek("as")))
		},
		"/owner": func(ctx *fasthttp.RequestCtx, s *sessions.Session) {
			fmt.Fprintf(ctx, "%s|%s", s.GetString("owner"), s.ID())
		},
	}
	base, ln := serve(t, sessionfasthttp.Middleware(m)(rs.handler(m)))
	tr := &http.Transport{MaxConnsPerHost: 1, MaxIdleConnsPerHost: 1}
	t.Cleanup(tr.CloseIdleConnections)
	alice, bob, anon := newClient(t, base, m, tr), newClient(t, base, m, tr), newClient(t, base, m, tr)
	alice.get("/claim?as=alice")
	bob.get("/claim?as=bob")
	ids := map[string]string{}
	for i := range 20 {
		for _, c := range []struct {
			who   string
			c     *client
			owner string
		}{{"alice", alice, "alice"}, {"anonymous", anon, ""}, {"bob", bob, "bob"}} {
			resp, body := c.c.get("/owner")
			owner, id, _ := strings.Cut(body, "|")
			if owner != c.owner {
				t.Fatalf("round %d: %s sees owner %q", i, c.who, owner)
			}
			if prev, ok := ids[c.who]; ok && prev != id {
				t.Fatalf("round %d: %s's session handle changed", i, c.who)
			}
			ids[c.who] = id
			if c.c == anon && (id != "" || len(resp.Cookies()) != 0) {
				t.Fatalf("round %d: anonymous request got session %q, cookies %v", i, id, resp.Cookies())
			}
		}
	}
	if ids["alice"] == ids["bob"] {
		t.Errorf("alice and bob share a session")
	}
	if n := ln.accepts.Load(); n != 1 {
		t.Errorf("%d connections, want 1 reused keep-alive connection", n)
	}
}

func TestSessionScope(t *testing.T) {
	m, store := newManager(t, sessions.Options{})
	other, _ := newManager(t, sessions.Options{CookieName: "__Host-other"})
	var outside, otherManager, afterNext, same atomic.Bool
	mw := sessionfasthttp.Middleware(m)
	app := func(ctx *fasthttp.RequestCtx) {
		s := sessionfasthttp.Session(m, ctx)
		otherManager.Store(sessionfasthttp.Session(other, ctx) == nil)
		s.Set("k", 1)
	}
	// Applied twice: the inner middleware finds the session of the outer.
	twice := mw(func(ctx *fasthttp.RequestCtx) {
		s := sessionfasthttp.Session(m, ctx)
		mw(func(ctx *fasthttp.RequestCtx) {
			same.Store(sessionfasthttp.Session(m, ctx) == s)
			app(ctx)
		})(ctx)
	})
	base, _ := serve(t, func(ctx *fasthttp.RequestCtx) {
		switch string(ctx.Path()) {
		case "/bare":
			outside.Store(sessionfasthttp.Session(m, ctx) == nil)
		case "/twice":
			twice(ctx)
		default:
			mw(app)(ctx)
			afterNext.Store(sessionfasthttp.Session(m, ctx) == nil)
		}
	})
	c := newClient(t, base, m, nil)
	c.get("/bare")
	if !outside.Load() {
		t.Errorf("Session outside the middleware is not nil")
	}
	c.get("/")
	if !otherManager.Load() {
		t.Errorf("Session with another manager is not nil")
	}
	if !afterNext.Load() {
		t.Errorf("Session after the middleware returned is not nil")
	}
	store.creates.Store(0)
	c.cookie = nil
	resp, _ := c.get("/twice")
	if !same.Load() || store.creates.Load() != 1 || len(resp.Header.Values("Set-Cookie")) != 1 {
		t.Errorf("middleware applied twice: same session %v, %d creates, Set-Cookie %q; want one session",
			same.Load(), store.creates.Load(), resp.Header.Values("Set-Cookie"))
	}
}

// The context the store gets ends with the request and carries nothing of
// the reused RequestCtx.
func TestRequestContext(t *testing.T) {
	m, store := newManager(t, sessions.Options{})
	rs := basic()
	base, _ := serve(t, func(ctx *fasthttp.RequestCtx) {
		ctx.SetUserValue("outer", "value")
		sessionfasthttp.Middleware(m)(rs.handler(m))(ctx)
	})
	c := newClient(t, base, m, nil)
	c.get("/set")
	c.get("/get")
	ctx, _ := store.loadCtx.Load().(context.Context)
	if ctx == nil {
		t.Fatal("store saw no load")
	}
	if ctx.Err() != context.Canceled {
		t.Errorf("store context after the request: Err = %v, want context.Canceled", ctx.Err())
	}
	if v := ctx.Value("outer"); v != nil {
		t.Errorf("store context reaches the RequestCtx's user values: %v", v)
	}
}

// varyFields returns the field names the response's Vary lines list.
func varyFields(resp *http.Response) []string {
	var fields []string
	for _, line := range resp.Header.Values("Vary") {
		for f := range strings.SplitSeq(line, ",") {
			fields = append(fields, strings.TrimSpace(f))
		}
	}
	return fields
}

// TestVaryListsCookieField checks that a response using the session lists
// the Cookie field in Vary, however the handler's own Vary is written: a
// field whose name merely contains "Cookie" does not make the response vary
// by the session cookie, as the core's Handler knows.
func TestVaryListsCookieField(t *testing.T) {
	cases := []struct {
		name string
		vary []string // the handler's Vary lines
	}{
		{"none", nil},
		{"other field", []string{"Accept-Encoding"}},
		{"field containing Cookie", []string{"X-Cookie-Consent"}},
		{"list with a field containing Cookie", []string{"Accept-Encoding, X-Cookie-Consent"}},
		{"Set-Cookie", []string{"Set-Cookie"}},
		{"Cookie already", []string{"Accept-Encoding, cookie"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, _ := newManager(t, sessions.Options{})
			h := basic().handler(m)
			base, _ := serve(t, sessionfasthttp.Middleware(m)(func(ctx *fasthttp.RequestCtx) {
				for _, v := range tc.vary {
					ctx.Response.Header.Add("Vary", v)
				}
				h(ctx)
			}))
			c := newClient(t, base, m, nil)
			c.get("/set")
			// The read-only request: no cookie is set, so Cache-Control
			// stays the handler's and only Vary keeps shared caches from
			// serving this page to another user.
			resp, body := c.get("/get")
			if body != "gopher" {
				t.Fatalf("/get = %q, want the stored value", body)
			}
			n := 0
			for _, f := range varyFields(resp) {
				if strings.EqualFold(f, "Cookie") {
					n++
				}
			}
			if n != 1 {
				t.Errorf("Vary = %q lists the Cookie field %d times, want once", resp.Header.Values("Vary"), n)
			}
		})
	}
}
