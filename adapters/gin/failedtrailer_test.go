package sessiongin_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/sessionkit/sessions"
	sessiongin "github.com/sessionkit/sessions/adapters/gin"
)

// TestFailedCommitDropsHandlerTrailers is the root package's test of the
// same name under gin: after a failed commit nothing the handler goes on
// to write reaches the client, headers included. The handler does not
// learn that its body was discarded (c.String reports nothing), so it
// finishes as usual and sets a trailer through c.Header with
// http.TrailerPrefix; over HTTP/2 net/http sends every such header as a
// trailer of the response, here the error handler's.
func TestFailedCommitDropsHandlerTrailers(t *testing.T) {
	m, st := newManager(t, sessions.Options{})
	e := newEngine(m)
	e.GET("/account", func(c *gin.Context) {
		sessiongin.Session(m, c).Set("k", "v")
		c.String(http.StatusOK, "secret body") // the commit fails here
		c.Header(http.TrailerPrefix+"X-Account-Balance", "1234")
	})
	srv := httptest.NewUnstartedServer(e)
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)

	resp, _ := do(t, srv, "GET", "/token", request{})
	cookie := mustCookie(t, resp, m)
	st.Down.Store(true) // the session cannot be loaded: the commit at the first byte fails

	resp, body := do(t, srv, "GET", "/account", request{Cookie: cookie})
	if resp.ProtoMajor != 2 || resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("%s %d %q, want HTTP/2 503 from the error handler", resp.Proto, resp.StatusCode, body)
	}
	// do read the body to its end, so the trailers have arrived.
	if v := resp.Trailer.Get("X-Account-Balance"); v != "" {
		t.Errorf("the handler's trailer reached the client after the failed commit: X-Account-Balance: %s", v)
	}
}
