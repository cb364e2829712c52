package sessions_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// TestActivityRecordedWhenReadAfterResponseStarted checks that a session
// first read once the response has started (a page whose template reads the
// session after writing its head, a stream) records the activity, as one
// read before it does: otherwise a user who only visits such pages is
// logged out after the idle timeout however often they come back.
func TestActivityRecordedWhenReadAfterResponseStarted(t *testing.T) {
	for _, tc := range []struct {
		name  string
		start func(w http.ResponseWriter) // how the response starts before the read
	}{
		{"Write", func(w http.ResponseWriter) { io.WriteString(w, "<html>") }},
		{"WriteHeader", func(w http.ResponseWriter) { w.WriteHeader(http.StatusOK) }},
		{"Flush", func(w http.ResponseWriter) { http.NewResponseController(w).Flush() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, _, now := newClockedManager(t, sessions.Options{IdleTimeout: 10 * time.Minute})
			srv := httptest.NewServer(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/set" {
					m.Start(w, r).Set("name", "kataras")
					return
				}
				tc.start(w)
				io.WriteString(w, m.Start(w, r).GetString("name"))
			})))
			defer srv.Close()
			_, res := lifeGet(t, srv, m, "/set", "")
			id := sessionCookie(t, m, res).Value
			for visit := 1; visit <= 4; visit++ {
				now.Add(int64(6 * time.Minute)) // well within the idle timeout
				if got, _ := lifeGet(t, srv, m, "/page", id); !strings.HasSuffix(got, "kataras") {
					t.Fatalf("visit %d, 6 minutes after the last: page shows %q, want the session's name", visit, got)
				}
			}
		})
	}
}
