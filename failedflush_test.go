package sessions_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestFailedCommitAtFlush checks a Flush whose commit fails: it returns
// an error (so a streaming handler learns that its stream is not going
// out), and it sends the error handler's answer to the client at once,
// not only when the handler returns: a handler that goes on after the
// failed flush (it cleans up, or ignores the error) must not keep the
// client waiting for an answer held in the server's buffer.
func TestFailedCommitAtFlush(t *testing.T) {
	m, id := commitFailing(t)
	answered := make(chan struct{})
	type result struct {
		flushErr error
		waited   time.Duration
	}
	done := make(chan result, 1)
	srv := httptest.NewServer(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.Start(w, r).Set("k", "v")
		err := http.NewResponseController(w).Flush() // the commit fails here
		start := time.Now()
		select {
		case <-answered:
		case <-time.After(3 * time.Second):
		}
		done <- result{err, time.Since(start)}
	})))
	defer srv.Close()

	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	req.AddCookie(&http.Cookie{Name: m.CookieName(), Value: id})
	resp, err := srv.Client().Do(req)
	close(answered)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("status %d, want 503 from the error handler", resp.StatusCode)
	}
	res := <-done
	if res.flushErr == nil {
		t.Error("Flush after the failed commit = nil, want an error that stops a stream")
	}
	if res.waited >= 3*time.Second {
		t.Errorf("the error handler's answer reached the client only when the handler returned, %v after the failed Flush", res.waited.Round(time.Millisecond))
	}
}
