package sessionecho_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
)

// spyStore wraps the memory store: it counts loads and writes and, when
// down is set, fails every Load with sessions.ErrStoreUnavailable.
type spyStore struct {
	sessions.Store
	loads, writes atomic.Int32
	down          atomic.Bool
}

func (s *spyStore) Load(ctx context.Context, key string) (*sessions.Record, bool, error) {
	s.loads.Add(1)
	if s.down.Load() {
		return nil, false, fmt.Errorf("%w: test outage", sessions.ErrStoreUnavailable)
	}
	return s.Store.Load(ctx, key)
}

func (s *spyStore) Create(ctx context.Context, key string, rec *sessions.Record) error {
	s.writes.Add(1)
	return s.Store.Create(ctx, key, rec)
}

func (s *spyStore) Commit(ctx context.Context, key string, d *sessions.Delta) error {
	s.writes.Add(1)
	return s.Store.Commit(ctx, key, d)
}

func (s *spyStore) Delete(ctx context.Context, key string) error {
	s.writes.Add(1)
	return s.Store.Delete(ctx, key)
}

func newManager(t *testing.T, opts sessions.Options) (*sessions.Manager, *spyStore) {
	t.Helper()
	mem := memory.New(memory.Options{})
	t.Cleanup(func() { mem.Close() })
	st := &spyStore{Store: mem}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler) // store failures are expected
	}
	m, err := sessions.NewManager(st, opts)
	if err != nil {
		t.Fatal(err)
	}
	return m, st
}

// serve runs e on a real HTTP server for the test.
func serve(t *testing.T, e *echo.Echo) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	return srv
}

// request describes one request of a test: the session cookie to send and
// extra headers; a non-empty form is sent url-encoded.
type request struct {
	cookie *http.Cookie
	header map[string]string
	form   string
}

// do sends one request without following redirects and returns the
// response with its body read.
func do(t *testing.T, srv *httptest.Server, method, path string, rq request) (*http.Response, string) {
	t.Helper()
	var body io.Reader
	if rq.form != "" {
		body = strings.NewReader(rq.form)
	}
	req, err := http.NewRequest(method, srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if rq.form != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range rq.header {
		req.Header.Set(k, v)
	}
	if rq.cookie != nil {
		req.AddCookie(&http.Cookie{Name: rq.cookie.Name, Value: rq.cookie.Value})
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

// sessionCookie returns the response's Set-Cookie for m's cookie, or nil.
func sessionCookie(resp *http.Response, m *sessions.Manager) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == m.CookieName() {
			return c
		}
	}
	return nil
}

// mustCookie is sessionCookie for a response that must issue one.
func mustCookie(t *testing.T, resp *http.Response, m *sessions.Manager) *http.Cookie {
	t.Helper()
	c := sessionCookie(resp, m)
	if c == nil {
		t.Fatalf("no %s cookie in the response (status %d, Set-Cookie %q)", m.CookieName(), resp.StatusCode, resp.Header.Values("Set-Cookie"))
	}
	return c
}

// hasVaryCookie reports whether the response varies on Cookie.
func hasVaryCookie(resp *http.Response) bool {
	for _, v := range resp.Header.Values("Vary") {
		if strings.Contains(v, "Cookie") {
			return true
		}
	}
	return false
}
