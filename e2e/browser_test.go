package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
)

// The one browser of the test binary, started by the first test that needs
// it and stopped by TestMain.
var (
	browserOnce   sync.Once
	browserCtx    context.Context
	browserErr    error
	browserCancel = func() {}
)

func TestMain(m *testing.M) {
	code := m.Run()
	browserCancel()
	if demoBin != "" {
		os.RemoveAll(filepath.Dir(demoBin))
	}
	os.Exit(code)
}

// chromiumPath finds the browser: $SESSIONS_CHROMIUM, else chromium or
// chromium-browser on PATH.
func chromiumPath() (string, error) {
	if p := os.Getenv("SESSIONS_CHROMIUM"); p != "" {
		return exec.LookPath(p)
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("neither chromium nor chromium-browser is on PATH")
}

// startBrowser launches headless Chromium with a fresh profile directory.
// The background-networking flags keep it from dialling Google's services,
// which a machine without outside network refuses.
func startBrowser() (context.Context, context.CancelFunc, error) {
	path, err := chromiumPath()
	if err != nil {
		return nil, nil, err
	}
	dir, err := os.MkdirTemp("", "sessions-e2e-chromium-")
	if err != nil {
		return nil, nil, err
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.UserDataDir(dir),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("mute-audio", true),
	}
	allocCtx, allocCancel := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	stop := func() {
		cancel()
		allocCancel()
		os.RemoveAll(dir)
	}
	// Running no action starts the browser and its first tab. The first Run
	// must get the browser's own context (a derived one with a deadline would
	// end the browser with it), so the deadline is kept here.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(ctx) }()
	select {
	case err = <-started:
	case <-time.After(30 * time.Second):
		err = errors.New("no answer within 30s")
	}
	if err != nil {
		stop()
		return nil, nil, fmt.Errorf("starting %s: %w", path, err)
	}
	return ctx, stop, nil
}

// tab returns a tab in a new browser context (its own cookie jar and
// cache) of the shared browser, closed when the test ends, or skips the test
// with SKIP-NO-SERVER when there is no browser to drive.
func tab(t *testing.T) context.Context {
	t.Helper()
	browserOnce.Do(func() {
		browserCtx, browserCancel, browserErr = startBrowser()
		if browserErr != nil {
			browserCancel = func() {}
		}
	})
	if browserErr != nil {
		t.Skipf("SKIP-NO-SERVER: no Chromium to drive (install it with apt-get install chromium, or set SESSIONS_CHROMIUM): %v", browserErr)
	}
	ctx, cancel := chromedp.NewContext(browserCtx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	ctx, timeoutCancel := context.WithTimeout(ctx, 20*time.Second)
	t.Cleanup(timeoutCancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("opening a tab: %v", err)
	}
	return ctx
}

// run runs steps in the tab, failing the test on an error.
func run(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// get runs the action in the tab and returns its value, failing the test on
// an error.
func get[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// eval evaluates the JavaScript expression js in the tab's page, awaiting
// it when it is a promise, and returns its value decoded from JSON.
func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	return get(t, ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
}

// cookies returns the cookies the browser holds for url.
func cookies(t *testing.T, ctx context.Context, url string) []*network.Cookie {
	t.Helper()
	res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{url}})
	if err != nil {
		t.Fatal(err)
	}
	return res.Cookies
}

// cookieNamed returns the cookie called name among cs, or nil.
func cookieNamed(cs []*network.Cookie, name string) *network.Cookie {
	for _, c := range cs {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// hit is one request the app received, as its outermost handler saw it.
type hit struct {
	Method, Path string
	SecFetchSite string
	HadCookie    bool // the session cookie came with it
	Handled      bool // it reached the route's handler, past the CSRF checks
	Status       int
}

// app is the application under test: the library's defaults (memory store,
// Manager.Handler with its CSRF protection) and a few routes, served at
// http://localhost:PORT.
type app struct {
	m   *sessions.Manager
	url string

	mu   sync.Mutex
	hits []hit
}

// statusWriter records the status the app answered with.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

type handledKey struct{}

// The app's page: the CSRF token in a meta tag, the session's state for
// the test to read, and a non-HttpOnly cookie so that document.cookie has
// something to show.
var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>app</title>
<meta name="csrf-token" content="{{.CSRF}}"></head>
<body><pre id="state">{{.State}}</pre></body></html>
`))

// state is what the app's page and GET /api/session show of a session.
type state struct {
	User   string         `json:"user"`
	Values map[string]any `json:"values"`
}

func newApp(t *testing.T) *app {
	t.Helper()
	store := memory.New(memory.Options{})
	t.Cleanup(func() { store.Close() })
	m, err := sessions.NewManager(store, sessions.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a := &app{m: m}

	mux := http.NewServeMux()
	handled := func(r *http.Request) { *r.Context().Value(handledKey{}).(*bool) = true }
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		handled(r)
		s := m.Start(w, r)
		token := s.CSRFToken()
		st, _ := json.Marshal(state{User: s.User(), Values: s.GetAll()})
		http.SetCookie(w, &http.Cookie{Name: "visible", Value: "yes", Path: "/", SameSite: http.SameSiteLaxMode})
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		pageTmpl.Execute(w, map[string]string{"CSRF": token, "State": string(st)})
	})
	mux.HandleFunc("GET /api/session", func(w http.ResponseWriter, r *http.Request) {
		handled(r)
		s := m.Start(w, r)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(state{User: s.User(), Values: s.GetAll()})
	})
	// POST /api/values/{key} sets key to the form field "value".
	mux.HandleFunc("POST /api/values/{key}", func(w http.ResponseWriter, r *http.Request) {
		handled(r)
		m.Start(w, r).Set(r.PathValue("key"), r.PostFormValue("value"))
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /api/login", func(w http.ResponseWriter, r *http.Request) {
		handled(r)
		if err := m.Start(w, r).Login(r.PostFormValue("user")); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /api/logout", func(w http.ResponseWriter, r *http.Request) {
		handled(r)
		m.Destroy(w, r)
		w.WriteHeader(http.StatusNoContent)
	})

	h := m.Handler(mux)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var reached bool
		r = r.WithContext(context.WithValue(r.Context(), handledKey{}, &reached))
		sw := &statusWriter{ResponseWriter: w}
		_, err := r.Cookie(m.CookieName())
		h.ServeHTTP(sw, r)
		a.mu.Lock()
		a.hits = append(a.hits, hit{
			Method: r.Method, Path: r.URL.Path, SecFetchSite: r.Header.Get("Sec-Fetch-Site"),
			HadCookie: err == nil, Handled: reached, Status: sw.status,
		})
		a.mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	a.url = "http://localhost:" + port(t, srv)
	return a
}

// mark returns how many requests the app has received so far, for
// waitRequest to look only at later ones.
func (a *app) mark() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.hits)
}

// requests returns the requests for method and path the app received
// after mark.
func (a *app) requests(mark int, method, path string) []hit {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []hit
	for _, h := range a.hits[mark:] {
		if h.Method == method && h.Path == path {
			out = append(out, h)
		}
	}
	return out
}

// waitRequest waits until the app has answered a request for method and
// path after mark, and returns the first such.
func (a *app) waitRequest(t *testing.T, mark int, method, path string) hit {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if hs := a.requests(mark, method, path); len(hs) > 0 {
			return hs[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("the app received no %s %s within 5s", method, path)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// pageState opens the app's page in the tab and returns the session state it
// shows and the CSRF token it embeds.
func (a *app) pageState(t *testing.T, ctx context.Context) (state, string) {
	t.Helper()
	run(t, ctx, chromedp.Navigate(a.url+"/"))
	text := get(t, ctx, chromedp.Text(chromedp.ID("state")))
	token := get(t, ctx, chromedp.AttributeValue(chromedp.CSS(`meta[name="csrf-token"]`), "content")).Value
	var st state
	if err := json.Unmarshal([]byte(text), &st); err != nil {
		t.Fatalf("the app's page shows %q: %v", text, err)
	}
	return st, token
}

// sessionCookie returns the session cookie the browser holds for the app,
// or nil.
func (a *app) sessionCookie(t *testing.T, ctx context.Context) *network.Cookie {
	t.Helper()
	return cookieNamed(cookies(t, ctx, a.url+"/"), a.m.CookieName())
}

// attacker serves pages at http://127.0.0.1:PORT, a different site from
// the app's http://localhost. Each path serves the HTML body given.
func attacker(t *testing.T, pages map[string]string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, body)
	}))
	t.Cleanup(srv.Close)
	return "http://127.0.0.1:" + port(t, srv)
}

func port(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	_, p, err := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// fetchResult is what the page's fetch helper reports.
type fetchResult struct {
	Status int    `json:"status"`
	Body   string `json:"body"`
	Error  string `json:"error"`
}

// fetchJS returns a JavaScript expression that fetches url from the current
// page with init (a JavaScript object literal) and yields a fetchResult.
func fetchJS(url, init string) string {
	return fmt.Sprintf(`fetch(%q, %s).then(
	async r => ({status: r.status, body: await r.text(), error: ""}),
	e => ({status: 0, body: "", error: String(e)}))`, url, init)
}

// post sends a same-origin fetch POST from the tab's current page (an app
// page) to path, with form as an application/x-www-form-urlencoded body
// and, unless token is empty, the X-CSRF-Token header.
func post(t *testing.T, ctx context.Context, path string, form map[string]string, token string) fetchResult {
	t.Helper()
	body, _ := json.Marshal(form)
	headers := "{}"
	if token != "" {
		h, _ := json.Marshal(map[string]string{"X-CSRF-Token": token})
		headers = string(h)
	}
	return eval[fetchResult](t, ctx, fetchJS(path, fmt.Sprintf(`{method: "POST", headers: %s, body: new URLSearchParams(%s)}`, headers, body)))
}
