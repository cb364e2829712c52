package sessions_test

import (
	"io"
	"net/http"
	"testing"
)

// TestFailedCommitDropsTrailersSetThroughHeldHeader checks that a handler
// holding its header map from before a failed commit (h := w.Header(), the
// common way to set several headers) cannot send trailers through it with
// the error handler's answer: Header hands out a header that goes nowhere
// after the failure, but the map taken before is the server's own, and
// net/http sends the http.TrailerPrefix keys it finds there when the
// handler returns, over HTTP/2 always and over HTTP/1 when the answer went
// out chunked (the handler flushed).
func TestFailedCommitDropsTrailersSetThroughHeldHeader(t *testing.T) {
	tests := []struct {
		name  string
		http2 bool
	}{
		{name: "HTTP/1 flushed", http2: false},
		{name: "HTTP/2", http2: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, id := commitFailing(t)
			resp, body := getTLS(t, m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				h := w.Header()
				h.Set("Content-Type", "text/plain")
				m.Start(w, r).Set("k", "v")
				io.WriteString(w, "secret body") // the commit fails here
				http.NewResponseController(w).Flush()
				h.Set(http.TrailerPrefix+"X-Account-Balance", "1234")
			})), m, id, tt.http2)
			if wantMajor := map[bool]int{false: 1, true: 2}[tt.http2]; resp.ProtoMajor != wantMajor || resp.StatusCode != http.StatusServiceUnavailable {
				t.Fatalf("%s %d %q, want HTTP/%d 503 from the error handler", resp.Proto, resp.StatusCode, body, wantMajor)
			}
			if v := resp.Trailer.Get("X-Account-Balance"); v != "" {
				t.Errorf("the handler's trailer reached the client after the failed commit: X-Account-Balance: %s", v)
			}
		})
	}
}
