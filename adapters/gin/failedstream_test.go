package sessiongin_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sessionkit/sessions"
	sessiongin "github.com/sessionkit/sessions/adapters/gin"
)

// TestFailedCommitStopsFlushingStream is the root package's
// TestFailedCommitAnswerReachesStreamingClient under gin: an event stream
// whose commit fails at its first flush must learn it from
// http.ResponseController's Flush on c.Writer, as it does under
// sessions.Manager.Handler (the error handler has answered, and the rest
// of the stream goes nowhere), rather than writing on into the void.
func TestFailedCommitStopsFlushingStream(t *testing.T) {
	m, st := newManager(t, sessions.Options{})
	e := newEngine(m)
	flushErr := make(chan error, 1)
	e.GET("/events", func(c *gin.Context) {
		sessiongin.Session(m, c).Set("k", "v")
		c.Header("Content-Type", "text/event-stream")
		rc := http.NewResponseController(c.Writer)
		for range 20 {
			c.Writer.WriteString("data: tick\n\n")
			if err := rc.Flush(); err != nil {
				flushErr <- err
				return
			}
			time.Sleep(time.Millisecond)
		}
		flushErr <- nil
	})
	srv := serve(t, e)
	resp, _ := do(t, srv, "GET", "/token", request{})
	cookie := mustCookie(t, resp, m)
	st.Down.Store(true) // the session cannot be loaded: the commit at the first flush fails

	resp, body := do(t, srv, "GET", "/events", request{Cookie: cookie})
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("status %d %q, want 503 from the error handler", resp.StatusCode, body)
	}
	err := <-flushErr
	if err == nil {
		t.Fatal("ResponseController.Flush on c.Writer returned nil after the failed commit: the stream wrote on into the void")
	}
	if errors.Is(err, http.ErrNotSupported) {
		t.Errorf("ResponseController.Flush = %v, want the middleware's failed-commit error", err)
	}
}
