package sessions_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sessionkit/sessions"
)

// readFromRecorder is a server's writer with a ReadFrom and a WriteString
// of its own, as net/http's HTTP/1 writer has (it sends files with
// sendfile): it notes each call and the Set-Cookie header at that moment.
type readFromRecorder struct {
	*httptest.ResponseRecorder
	calls, stringCalls int
	cookieNow          string
}

func (w *readFromRecorder) WriteString(s string) (int, error) {
	w.stringCalls++
	w.cookieNow = w.Header().Get("Set-Cookie")
	return w.ResponseRecorder.WriteString(s)
}

func (w *readFromRecorder) ReadFrom(src io.Reader) (int64, error) {
	w.calls++
	w.cookieNow = w.Header().Get("Set-Cookie")
	return io.Copy(w.ResponseRecorder, src)
}

// TestReadFromReachesServerWriter checks that io.Copy to the writer
// Handler gives, from a plain reader and from a file (what
// http.ServeContent does), commits the session first and then reaches the
// server's own ReadFrom, and that after a failed commit nothing is copied.
func TestReadFromReachesServerWriter(t *testing.T) {
	const body = "file contents, served under Handler"
	path := filepath.Join(t.TempDir(), "f.txt")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	sources := []struct {
		name string
		open func(t *testing.T) io.Reader
	}{
		{"reader", func(*testing.T) io.Reader { return struct{ io.Reader }{strings.NewReader(body)} }},
		{"file", func(t *testing.T) io.Reader {
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { f.Close() })
			return f
		}},
	}
	for _, src := range sources {
		t.Run(src.name, func(t *testing.T) {
			m, _ := newTestManager(t, sessions.Options{})
			w := &readFromRecorder{ResponseRecorder: httptest.NewRecorder()}
			m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				m.Start(w, r).Set("k", "v")
				if _, err := io.Copy(w, src.open(t)); err != nil {
					t.Errorf("io.Copy: %v", err)
				}
			})).ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
			if w.calls != 1 {
				t.Errorf("the server writer's ReadFrom ran %d times, want 1", w.calls)
			}
			if !strings.Contains(w.cookieNow, m.CookieName()+"=") {
				t.Errorf("Set-Cookie when the copy started = %q, want the session cookie (commit first)", w.cookieNow)
			}
			if got := w.Body.String(); got != body {
				t.Errorf("body %q, want %q", got, body)
			}
		})
		t.Run(src.name+"/failed commit", func(t *testing.T) {
			m, id := commitFailing(t)
			w := &readFromRecorder{ResponseRecorder: httptest.NewRecorder()}
			req := httptest.NewRequest("GET", "/", nil)
			req.AddCookie(&http.Cookie{Name: m.CookieName(), Value: id})
			m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				m.Start(w, r).Set("k", "v")
				io.Copy(w, src.open(t))
			})).ServeHTTP(w, req)
			if w.calls != 0 || strings.Contains(w.Body.String(), body) {
				t.Errorf("after a failed commit the copy reached the client (ReadFrom calls %d, body %q)", w.calls, w.Body)
			}
			if w.Code != http.StatusServiceUnavailable {
				t.Errorf("status %d, want 503 from the error handler", w.Code)
			}
		})
	}
}

// TestWriteStringReachesServerWriter checks that io.WriteString to the
// writer Handler gives commits the session first and then reaches the
// server writer's own WriteString, and that after a failed commit nothing
// is written.
func TestWriteStringReachesServerWriter(t *testing.T) {
	m, _ := newTestManager(t, sessions.Options{})
	w := &readFromRecorder{ResponseRecorder: httptest.NewRecorder()}
	m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.Start(w, r).Set("k", "v")
		io.WriteString(w, "hello")
	})).ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	if w.stringCalls != 1 || w.Body.String() != "hello" {
		t.Errorf("WriteString reached the server writer %d times, body %q; want once, hello", w.stringCalls, w.Body)
	}
	if !strings.Contains(w.cookieNow, m.CookieName()+"=") {
		t.Errorf("Set-Cookie when the write started = %q, want the session cookie (commit first)", w.cookieNow)
	}

	m, id := commitFailing(t)
	w = &readFromRecorder{ResponseRecorder: httptest.NewRecorder()}
	req := httptest.NewRequest("GET", "/", nil)
	req.AddCookie(&http.Cookie{Name: m.CookieName(), Value: id})
	m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.Start(w, r).Set("k", "v")
		io.WriteString(w, "hello")
	})).ServeHTTP(w, req)
	if w.stringCalls != 0 || strings.Contains(w.Body.String(), "hello") || w.Code != http.StatusServiceUnavailable {
		t.Errorf("after a failed commit: WriteString calls %d, status %d, body %q; want 0, 503, the error handler's", w.stringCalls, w.Code, w.Body)
	}
}
