package sessiongin_test

import (
	"net/http"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/sessionkit/sessions"
	sessiongin "github.com/sessionkit/sessions/adapters/gin"
)

// TestHeaderAfterFailedCommitStaysOut checks that a header the handler
// sets after a failed commit does not reach the client when the handler
// then flushes: c.Writer.Header() is, as under Manager.Handler, a header
// that goes nowhere once the commit has failed, and the flush sends the
// error handler's answer (here a bare 503) with its own header only.
func TestHeaderAfterFailedCommitStaysOut(t *testing.T) {
	silent503 := func(w http.ResponseWriter, _ *http.Request, _ error) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	for _, tc := range []struct {
		name  string
		start func(c *gin.Context) // fails the commit without sending the header
	}{
		{"Write", func(c *gin.Context) { c.Writer.Write([]byte("secret body")) }},
		{"WriteString", func(c *gin.Context) { c.Writer.WriteString("secret body") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, st := newManager(t, sessions.Options{ErrorHandler: silent503})
			e := newEngine(m)
			e.GET("/account", func(c *gin.Context) {
				sessiongin.Session(m, c).Set("k", "v")
				tc.start(c)
				c.Header("X-Account-Balance", "1234")
				c.Writer.Flush()
			})
			srv := serve(t, e)
			resp, _ := do(t, srv, "GET", "/token", request{})
			cookie := mustCookie(t, resp, m)
			st.Down.Store(true)

			resp, body := do(t, srv, "GET", "/account", request{Cookie: cookie})
			if resp.StatusCode != http.StatusServiceUnavailable || body != "" {
				t.Errorf("got %d %q, want the error handler's bare 503", resp.StatusCode, body)
			}
			if v := resp.Header.Get("X-Account-Balance"); v != "" {
				t.Errorf("a header the handler set after the failed commit reached the client: X-Account-Balance: %s", v)
			}
		})
	}
}
