package sessions_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestStoredSessionCommittedOnce checks that the middleware commits a
// stored session's changes once, before the first byte, however many
// times the handler writes, flushes or sets the status afterwards: the
// writes after the first (and the handler's return) cost no store call.
func TestStoredSessionCommittedOnce(t *testing.T) {
	for _, tc := range []struct {
		name  string
		write func(w http.ResponseWriter)
	}{
		{"Write twice", func(w http.ResponseWriter) { w.Write([]byte("a")); w.Write([]byte("b")) }},
		{"WriteHeader then Write", func(w http.ResponseWriter) { w.WriteHeader(http.StatusAccepted); w.Write([]byte("a")) }},
		{"Flush then WriteString", func(w http.ResponseWriter) {
			http.NewResponseController(w).Flush()
			io.WriteString(w, "a")
		}},
		{"Write then ReadFrom", func(w http.ResponseWriter) {
			w.Write([]byte("a"))
			w.(io.ReaderFrom).ReadFrom(strings.NewReader("b"))
		}},
		{"nothing written", func(http.ResponseWriter) {}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, store := newTestManager(t, sessions.Options{})
			id := seedSession(t, m)
			store.commits.Store(0)
			h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				m.Start(w, r).Set("cart", 2)
				tc.write(w)
			}))
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req.AddCookie(&http.Cookie{Name: m.CookieName(), Value: id})
			h.ServeHTTP(httptest.NewRecorder(), req)
			if n := store.commits.Load(); n != 1 {
				t.Errorf("the request made %d commits, want 1", n)
			}
		})
	}
}
