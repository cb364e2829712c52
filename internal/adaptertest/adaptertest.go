// Package adaptertest holds what the framework adapters' tests share: a
// manager on a spied memory store, and a client that sends one request to
// a real HTTP server and reads the session cookie back.
package adaptertest

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
)

// SpyStore wraps the memory store: it counts loads and writes and, when
// Down is set, fails every Load with sessions.ErrStoreUnavailable.
type SpyStore struct {
	sessions.Store
	Loads, Writes atomic.Int32
	Down          atomic.Bool
}

// Load counts the load and fails while Down is set.
func (s *SpyStore) Load(ctx context.Context, key string) (*sessions.Record, bool, error) {
	s.Loads.Add(1)
	if s.Down.Load() {
		return nil, false, fmt.Errorf("%w: test outage", sessions.ErrStoreUnavailable)
	}
	return s.Store.Load(ctx, key)
}

// Create counts a write.
func (s *SpyStore) Create(ctx context.Context, key string, rec *sessions.Record) error {
	s.Writes.Add(1)
	return s.Store.Create(ctx, key, rec)
}

// Commit counts a write.
func (s *SpyStore) Commit(ctx context.Context, key string, d *sessions.Delta) error {
	s.Writes.Add(1)
	return s.Store.Commit(ctx, key, d)
}

// Delete counts a write.
func (s *SpyStore) Delete(ctx context.Context, key string) error {
	s.Writes.Add(1)
	return s.Store.Delete(ctx, key)
}

// NewManager returns a manager with opts on a SpyStore over a fresh memory
// store, closed when the test ends. Without opts.Logger it logs nothing:
// the tests cause store failures on purpose.
func NewManager(t *testing.T, opts sessions.Options) (*sessions.Manager, *SpyStore) {
	t.Helper()
	mem := memory.New(memory.Options{})
	t.Cleanup(func() { mem.Close() })
	st := &SpyStore{Store: mem}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	m, err := sessions.NewManager(st, opts)
	if err != nil {
		t.Fatal(err)
	}
	return m, st
}

// Serve runs h on a real HTTP server for the test.
func Serve(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// Request describes one request of a test: the session cookie to send and
// extra headers; a non-empty Form is sent url-encoded.
type Request struct {
	Cookie *http.Cookie
	Header map[string]string
	Form   string
}

// Do sends one request without following redirects and returns the
// response with its body read.
func Do(t *testing.T, srv *httptest.Server, method, path string, rq Request) (*http.Response, string) {
	t.Helper()
	var body io.Reader
	if rq.Form != "" {
		body = strings.NewReader(rq.Form)
	}
	req, err := http.NewRequest(method, srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if rq.Form != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range rq.Header {
		req.Header.Set(k, v)
	}
	if rq.Cookie != nil {
		req.AddCookie(&http.Cookie{Name: rq.Cookie.Name, Value: rq.Cookie.Value})
	}
	client := *srv.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// SessionCookie returns the response's Set-Cookie for m's cookie, or nil.
func SessionCookie(resp *http.Response, m *sessions.Manager) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == m.CookieName() {
			return c
		}
	}
	return nil
}

// MustCookie is SessionCookie for a response that must issue one.
func MustCookie(t *testing.T, resp *http.Response, m *sessions.Manager) *http.Cookie {
	t.Helper()
	c := SessionCookie(resp, m)
	if c == nil {
		t.Fatalf("no %s cookie in the response (status %d, Set-Cookie %q)", m.CookieName(), resp.StatusCode, resp.Header.Values("Set-Cookie"))
	}
	return c
}

// HasVaryCookie reports whether the response varies on Cookie.
func HasVaryCookie(resp *http.Response) bool {
	for _, v := range resp.Header.Values("Vary") {
		if strings.Contains(v, "Cookie") {
			return true
		}
	}
	return false
}

// Peek returns the value under key in the session cookie names, read from
// m's store through a request of its own (no server, no *testing.T: it may
// run in a handler's goroutine).
func Peek(m *sessions.Manager, cookie *http.Cookie, key string) any {
	req := httptest.NewRequest(http.MethodGet, "https://example.com/", nil)
	if cookie != nil {
		req.AddCookie(cookie)
	}
	var v any
	m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v = m.Start(w, r).Get(key)
	})).ServeHTTP(httptest.NewRecorder(), req)
	return v
}

// Upgraded is the rest of a test's upgrading handler once it has hijacked
// conn: it sends stored what the store holds under key for the session
// cookie r carries, then answers "hijacked" on the raw connection and
// closes it.
func Upgraded(m *sessions.Manager, r *http.Request, conn net.Conn, brw *bufio.ReadWriter, key string, stored chan<- any) error {
	defer conn.Close()
	cookie, _ := r.Cookie(m.CookieName())
	stored <- Peek(m, cookie, key)
	brw.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 8\r\nConnection: close\r\n\r\nhijacked")
	return brw.Flush()
}

// CheckUpgraded requests GET /seed, which must start a session, then GET
// /ws with its cookie, which must answer through Upgraded; the store must
// have held want under the key Upgraded looked up while the handler held
// the connection.
func CheckUpgraded(t *testing.T, srv *httptest.Server, m *sessions.Manager, stored <-chan any, want any) {
	t.Helper()
	seed, _ := Do(t, srv, "GET", "/seed", Request{})
	resp, body := Do(t, srv, "GET", "/ws", Request{Cookie: MustCookie(t, seed, m)})
	if resp.StatusCode != http.StatusOK || body != "hijacked" {
		t.Fatalf("response %d %q, want the hijacking handler's", resp.StatusCode, body)
	}
	if got := <-stored; got != want {
		t.Errorf("while the handler held the connection the store had %v, want %v", got, want)
	}
}

// CheckCSRF runs the CSRF cases against srv: GET /token must answer a
// token and start a session, and POST /action must run two handlers (ran
// counts them; the second answers "done") when the request passes the
// checks, and none, with the CSRF failure handler's answer, when it does
// not.
func CheckCSRF(t *testing.T, srv *httptest.Server, m *sessions.Manager, ran *atomic.Int32) {
	t.Helper()
	resp, token := Do(t, srv, "GET", "/token", Request{})
	cookie := MustCookie(t, resp, m)

	cases := []struct {
		name       string
		rq         Request
		wantStatus int
	}{
		{"no token", Request{Cookie: cookie}, 403},
		{"no token, no cookie", Request{}, 403},
		{"wrong token", Request{Cookie: cookie, Header: map[string]string{"X-CSRF-Token": strings.Repeat("A", len(token))}}, 403},
		{"token in header", Request{Cookie: cookie, Header: map[string]string{"X-CSRF-Token": token}}, 200},
		{"token in form field", Request{Cookie: cookie, Form: url.Values{"csrf_token": {token}}.Encode()}, 200},
		{"same-origin with token", Request{Cookie: cookie, Header: map[string]string{"X-CSRF-Token": token, "Sec-Fetch-Site": "same-origin"}}, 200},
		{"cross-site with token", Request{Cookie: cookie, Header: map[string]string{"X-CSRF-Token": token, "Sec-Fetch-Site": "cross-site"}}, 403},
		{"cross-origin Origin with token", Request{Cookie: cookie, Header: map[string]string{"X-CSRF-Token": token, "Origin": "https://evil.example"}}, 403},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ran.Store(0)
			resp, body := Do(t, srv, "POST", "/action", tc.rq)
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status %d %q, want %d", resp.StatusCode, body, tc.wantStatus)
			}
			if tc.wantStatus == 403 {
				if n := ran.Load(); n != 0 {
					t.Errorf("%d handlers ran for a refused request", n)
				}
				if !strings.Contains(body, "CSRF") {
					t.Errorf("body %q, want the CSRF failure handler's", body)
				}
			} else if n := ran.Load(); n != 2 || body != "done" {
				t.Errorf("%d handlers ran, body %q; want 2 and done", n, body)
			}
		})
	}
}

// ClockedManager returns a manager on a memory store, both on a clock the
// test moves (the returned Unix nanoseconds), and a function that returns
// the kinds of the events emitted since its last call.
func ClockedManager(t *testing.T, opts sessions.Options) (*sessions.Manager, *atomic.Int64, func() []string) {
	t.Helper()
	now := new(atomic.Int64)
	now.Store(time.Unix(1_800_000_000, 0).UnixNano())
	clock := func() time.Time { return time.Unix(0, now.Load()) }
	store := memory.New(memory.Options{Now: clock})
	t.Cleanup(func() { store.Close() })
	var mu sync.Mutex
	var events []string
	opts.Now = clock
	opts.Logger = slog.New(slog.DiscardHandler)
	opts.OnEvent = func(_ context.Context, e sessions.Event) {
		mu.Lock()
		events = append(events, e.Kind.String())
		mu.Unlock()
	}
	m, err := sessions.NewManager(store, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m, now, func() []string {
		mu.Lock()
		defer mu.Unlock()
		out := events
		events = nil
		return out
	}
}
