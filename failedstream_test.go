package sessions_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestFailedCommitAnswerReachesStreamingClient runs an event stream whose
// commit fails at its first flush. The error handler's answer must reach
// the client then, not when the handler returns, and the handler must
// learn from its flush that the stream is not going out, so it stops
// rather than writing into the void: with every Write reporting success
// and every Flush silently doing nothing, a stream that runs until the
// client leaves would run forever, its client waiting for an answer held
// in the server's buffer.
func TestFailedCommitAnswerReachesStreamingClient(t *testing.T) {
	m, id := commitFailing(t)
	stopped := make(chan time.Duration, 1)
	srv := httptest.NewServer(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		m.Start(w, r).Set("k", "v")
		w.Header().Set("Content-Type", "text/event-stream")
		rc := http.NewResponseController(w)
		for time.Since(start) < 3*time.Second {
			if _, err := io.WriteString(w, "data: tick\n\n"); err != nil {
				break
			}
			if err := rc.Flush(); err != nil {
				break
			}
			select {
			case <-r.Context().Done():
				stopped <- time.Since(start)
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
		stopped <- time.Since(start)
	})))
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL, nil)
	req.AddCookie(&http.Cookie{Name: m.CookieName(), Value: id})
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Errorf("no answer within a second of the failed commit: %v", err)
	} else {
		resp.Body.Close()
		if resp.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("status %d, want 503 from the error handler", resp.StatusCode)
		}
	}
	if d := <-stopped; d > time.Second {
		t.Errorf("the streaming handler ran on for %v after its commit failed", d.Round(time.Millisecond))
	}
}
