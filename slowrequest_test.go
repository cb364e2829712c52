package sessions_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// TestSlowRequestKeepsLaterActivity checks that a slow request (an
// upload, a report) that records the session's activity does not record
// it as of its start once it ends: a request that ran meanwhile recorded
// later activity, and moving it back expired the session while in use,
// before the idle timeout had passed since that request.
func TestSlowRequestKeepsLaterActivity(t *testing.T) {
	for _, tc := range []struct {
		name string
		slow func(s *sessions.Session) // what the slow request does with the session
	}{
		{"reads", func(s *sessions.Session) { s.Get("name") }},
		{"writes", func(s *sessions.Session) { s.Set("upload", "done") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, _, now := newClockedManager(t, sessions.Options{IdleTimeout: 30 * time.Minute})
			loaded, release := make(chan struct{}), make(chan struct{})
			srv := httptest.NewServer(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				s := m.Start(w, r)
				switch r.URL.Path {
				case "/set":
					s.Set("name", "kataras")
				case "/slow":
					tc.slow(s)
					close(loaded)
					<-release
				case "/get":
					io.WriteString(w, s.GetString("name"))
				}
			})))
			defer srv.Close()
			_, res := lifeGet(t, srv, m, "/set", "")
			id := sessionCookie(t, m, res).Value

			now.Add(int64(5 * time.Minute))
			done := make(chan struct{})
			go func() {
				defer close(done)
				lifeGet(t, srv, m, "/slow", id)
			}()
			<-loaded
			now.Add(int64(20 * time.Minute))
			if got, _ := lifeGet(t, srv, m, "/get", id); got != "kataras" {
				t.Fatalf("during the slow request the session holds %q, want kataras", got)
			}
			close(release)
			<-done
			now.Add(int64(20 * time.Minute)) // 20 minutes after the last request
			if got, _ := lifeGet(t, srv, m, "/get", id); got != "kataras" {
				t.Errorf("20 minutes after the last request (idle timeout 30) the session holds %q, want kataras: the slow request moved its recorded activity back", got)
			}
		})
	}
}
