package sessions_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

var errPeerGone = errors.New("write: broken pipe")

// failingFlushWriter is a server writer whose flush fails, as net/http's
// does (FlushError) once the client has gone.
type failingFlushWriter struct{ *httptest.ResponseRecorder }

func (w failingFlushWriter) FlushError() error { return errPeerGone }

// plainWriter is a server writer that cannot flush at all.
type plainWriter struct{ rec *httptest.ResponseRecorder }

func (w plainWriter) Header() http.Header         { return w.rec.Header() }
func (w plainWriter) Write(b []byte) (int, error) { return w.rec.Write(b) }
func (w plainWriter) WriteHeader(code int)        { w.rec.WriteHeader(code) }

// TestFlushErrorReachesHandler checks that http.ResponseController's Flush
// through Handler's writer reports what the server's writer reports, as
// it does without the middleware: a streaming handler (server-sent
// events) learns from it that the client is gone, and a writer that cannot
// flush answers http.ErrNotSupported rather than a silent nil. The session
// is committed before the flush in every case.
func TestFlushErrorReachesHandler(t *testing.T) {
	run := func(t *testing.T, w http.ResponseWriter) (cookie string, bare, wrapped error) {
		bare = http.NewResponseController(w).Flush()
		m, _ := newTestManager(t, sessions.Options{})
		m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			m.Start(w, r).Set("k", "v")
			wrapped = http.NewResponseController(w).Flush()
			cookie = w.Header().Get("Set-Cookie")
		})).ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
		return cookie, bare, wrapped
	}
	t.Run("flush fails", func(t *testing.T) {
		cookie, bare, wrapped := run(t, failingFlushWriter{httptest.NewRecorder()})
		if !errors.Is(bare, errPeerGone) {
			t.Fatalf("bare ResponseController.Flush = %v", bare)
		}
		if !errors.Is(wrapped, errPeerGone) {
			t.Errorf("ResponseController.Flush under Handler = %v, want %v as without it", wrapped, errPeerGone)
		}
		if !strings.Contains(cookie, "=") {
			t.Errorf("no session cookie before the flush: %q", cookie)
		}
	})
	t.Run("cannot flush", func(t *testing.T) {
		_, bare, wrapped := run(t, plainWriter{httptest.NewRecorder()})
		if !errors.Is(bare, http.ErrNotSupported) {
			t.Fatalf("bare ResponseController.Flush = %v", bare)
		}
		if !errors.Is(wrapped, http.ErrNotSupported) {
			t.Errorf("ResponseController.Flush under Handler = %v, want http.ErrNotSupported as without it", wrapped)
		}
	})

	// The same over a real server: a client that hangs up is seen by the
	// next flushes of an event stream.
	t.Run("client gone", func(t *testing.T) {
		m, _ := newTestManager(t, sessions.Options{})
		flushErr := make(chan error, 1)
		srv := httptest.NewServer(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			m.Start(w, r).Set("k", "v")
			w.Header().Set("Content-Type", "text/event-stream")
			rc := http.NewResponseController(w)
			chunk := "data: " + strings.Repeat("x", 4096) + "\n\n"
			deadline := time.Now().Add(3 * time.Second)
			for time.Now().Before(deadline) {
				io.WriteString(w, chunk) // its error is not looked at: the flush's is
				if err := rc.Flush(); err != nil {
					flushErr <- err
					return
				}
				time.Sleep(5 * time.Millisecond)
			}
			flushErr <- nil
		})))
		defer srv.Close()
		resp, err := srv.Client().Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		io.ReadFull(resp.Body, make([]byte, 100))
		resp.Body.Close() // hangs up mid-stream
		if err := <-flushErr; err == nil {
			t.Error("ResponseController.Flush kept returning nil for 3s after the client hung up")
		}
	})
}
