package sessions_test

import (
	"io"
	"net/http"
	"testing"
)

// TestFailedCommitDropsHandlerTrailers checks that after a failed commit
// nothing the handler goes on to write reaches the client, trailers
// included. A handler does not learn that its Write was discarded (Write
// reports success), so it finishes as usual and sets a trailer through
// http.TrailerPrefix; over HTTP/2 net/http sends every such header as a
// trailer of the response, here the error handler's.
func TestFailedCommitDropsHandlerTrailers(t *testing.T) {
	m, id := commitFailing(t)
	resp, body := getHTTP2(t, m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.Start(w, r).Set("k", "v")
		io.WriteString(w, "secret body") // the commit fails here
		w.Header().Set(http.TrailerPrefix+"X-Account-Balance", "1234")
	})), m, id)
	if resp.ProtoMajor != 2 || resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("%s %d %q, want HTTP/2 503 from the error handler", resp.Proto, resp.StatusCode, body)
	}
	if v := resp.Trailer.Get("X-Account-Balance"); v != "" {
		t.Errorf("the handler's trailer reached the client after the failed commit: X-Account-Balance: %s", v)
	}
}
