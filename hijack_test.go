package sessions_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
)

// hijackers are the two ways code takes a connection over: asserting
// http.Hijacker on the writer (gorilla/websocket's Upgrader) and
// http.ResponseController.
var hijackers = []struct {
	name   string
	hijack func(w http.ResponseWriter) (net.Conn, *bufio.ReadWriter, error)
}{
	{"w.(http.Hijacker)", func(w http.ResponseWriter) (net.Conn, *bufio.ReadWriter, error) {
		h, ok := w.(http.Hijacker)
		if !ok {
			return nil, nil, fmt.Errorf("%T does not implement http.Hijacker", w)
		}
		return h.Hijack()
	}},
	{"ResponseController", func(w http.ResponseWriter) (net.Conn, *bufio.ReadWriter, error) {
		return http.NewResponseController(w).Hijack()
	}},
}

// unwrapOnly is a middleware's writer that offers nothing but Unwrap
// besides the three methods: http.ResponseController reaches the server's
// writer through it.
type unwrapOnly struct{ http.ResponseWriter }

func (w unwrapOnly) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// serverWriters are the writers Handler can find outside it on an HTTP/1
// server: the server's own, and one behind a middleware's wrapper that
// hijacks only through Unwrap.
var serverWriters = []struct {
	name string
	wrap func(http.Handler) http.Handler
}{
	{"server writer", func(h http.Handler) http.Handler { return h }},
	{"behind Unwrap", func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h.ServeHTTP(unwrapOnly{w}, r)
		})
	}},
}

// TestHijackCommitsFirst checks that a handler under Handler can hijack
// the connection both ways, straight from the server or through a wrapper's
// Unwrap, and that the session's changes are stored before it gets the
// connection.
func TestHijackCommitsFirst(t *testing.T) {
	for _, sw := range serverWriters {
		for _, hj := range hijackers {
			t.Run(sw.name+"/"+hj.name, func(t *testing.T) {
				testHijackCommitsFirst(t, sw.wrap, hj.hijack)
			})
		}
	}
}

func testHijackCommitsFirst(t *testing.T, wrap func(http.Handler) http.Handler, hijack func(http.ResponseWriter) (net.Conn, *bufio.ReadWriter, error)) {
	m, _ := newTestManager(t, sessions.Options{})
	id := seedSession(t, m)
	stored := make(chan string, 1)
	srv := httptest.NewServer(wrap(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.Start(w, r).Set("ws", "open")
		conn, brw, err := hijack(w)
		if err != nil {
			t.Errorf("hijack: %v", err)
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		defer conn.Close()
		// The connection is ours; what does the store hold now?
		var got string
		do(t, m, id, func(s *sessions.Session) { got = s.GetString("ws") })
		stored <- got
		brw.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 8\r\nConnection: close\r\n\r\nhijacked")
		brw.Flush()
	}))))
	t.Cleanup(srv.Close)

	resp, body := getWithSession(t, srv, m, id)
	if body != "hijacked" {
		t.Fatalf("response %d %q, want the hijacking handler's", resp.StatusCode, body)
	}
	select {
	case got := <-stored:
		if got != "open" {
			t.Errorf("while the handler held the connection the store had ws = %q, want open", got)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the handler never reported")
	}
}

// getWithSession sends GET / to srv with m's cookie naming session id and
// returns the response and its body, read and closed.
func getWithSession(t *testing.T, srv *httptest.Server, m *sessions.Manager, id string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", srv.URL, nil)
	req.AddCookie(&http.Cookie{Name: m.CookieName(), Value: id})
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("the client got no answer: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(body)
}

// TestNoHijackerWithoutOne checks that where the server's writer cannot
// hijack (HTTP/2, a recorder), the writer Handler gives is no
// http.Hijacker either, http.ResponseController's Hijack fails with
// http.ErrNotSupported, and the session is committed as usual.
func TestNoHijackerWithoutOne(t *testing.T) {
	check := func(t *testing.T, w http.ResponseWriter, r *http.Request, m *sessions.Manager) {
		m.Start(w, r).Set("proto", r.Proto)
		if _, ok := w.(http.Hijacker); ok {
			t.Errorf("%s: the handler's writer %T is an http.Hijacker", r.Proto, w)
		}
		if _, _, err := http.NewResponseController(w).Hijack(); !errors.Is(err, http.ErrNotSupported) {
			t.Errorf("%s: ResponseController Hijack = %v, want http.ErrNotSupported", r.Proto, err)
		}
		io.WriteString(w, "ok")
	}
	stored := func(t *testing.T, m *sessions.Manager, h http.Header, want string) {
		t.Helper()
		c, err := http.ParseSetCookie(h.Get("Set-Cookie"))
		if err != nil {
			t.Fatalf("no session cookie: %v", err)
		}
		var got string
		do(t, m, c.Value, func(s *sessions.Session) { got = s.GetString("proto") })
		if got != want {
			t.Errorf("stored proto = %q, want %q", got, want)
		}
	}

	t.Run("HTTP/2", func(t *testing.T) {
		m, _ := newTestManager(t, sessions.Options{})
		srv := httptest.NewUnstartedServer(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			check(t, w, r, m)
		})))
		srv.EnableHTTP2 = true
		srv.StartTLS()
		t.Cleanup(srv.Close)
		resp, err := srv.Client().Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.ProtoMajor != 2 || string(body) != "ok" {
			t.Fatalf("%s %d %q, want HTTP/2 200 ok", resp.Proto, resp.StatusCode, body)
		}
		stored(t, m, resp.Header, "HTTP/2.0")
	})
	t.Run("recorder", func(t *testing.T) {
		m, _ := newTestManager(t, sessions.Options{})
		rec := httptest.NewRecorder()
		m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			check(t, w, r, m)
		})).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
		if rec.Code != http.StatusOK || rec.Body.String() != "ok" {
			t.Fatalf("%d %q, want 200 ok", rec.Code, rec.Body)
		}
		stored(t, m, rec.Header(), "HTTP/1.1")
	})
}

// downCommitStore fails every Commit as an unreachable backend does.
type downCommitStore struct{ sessions.Store }

func (downCommitStore) Commit(context.Context, string, *sessions.Delta) error {
	return fmt.Errorf("commit: %w", sessions.ErrStoreUnavailable)
}

// commitFailing returns a manager whose store fails every Commit, and the
// ID of a session it can load.
func commitFailing(t *testing.T) (*sessions.Manager, string) {
	t.Helper()
	mem := memory.New(memory.Options{})
	t.Cleanup(func() { mem.Close() })
	seeder, err := sessions.NewManager(mem, sessions.Options{})
	if err != nil {
		t.Fatal(err)
	}
	id := seedSession(t, seeder)
	m, err := sessions.NewManager(downCommitStore{mem}, sessions.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return m, id
}

// TestHijackAfterFailedCommit checks that when the commit before a hijack
// fails, the connection is not handed over and the client gets the error
// handler's answer.
func TestHijackAfterFailedCommit(t *testing.T) {
	for _, hj := range hijackers {
		t.Run(hj.name, func(t *testing.T) {
			m, id := commitFailing(t)
			hijacked := make(chan error, 1)
			srv := httptest.NewServer(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				m.Start(w, r).Set("ws", "open")
				conn, _, err := hj.hijack(w)
				if err == nil {
					conn.Close()
				}
				hijacked <- err
			})))
			t.Cleanup(srv.Close)

			resp, _ := getWithSession(t, srv, m, id)
			if resp.StatusCode != http.StatusServiceUnavailable {
				t.Errorf("status %d, want 503 from the error handler", resp.StatusCode)
			}
			if err := <-hijacked; err == nil {
				t.Error("Hijack handed the connection over after the commit failed")
			}
		})
	}
}
