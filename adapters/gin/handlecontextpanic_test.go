package sessiongin_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/sessionkit/sessions"
	sessiongin "github.com/sessionkit/sessions/adapters/gin"
)

// TestHandleContextPanicAnsweredByGin checks a handler that panics in a
// re-run of the chain (c.HandleContext), recovered by gin.Recovery
// registered before Middleware: the re-run puts gin's own writer back, so
// the recovery's 500 goes out through it, without the session's cookie,
// rather than through the session, which would commit the panicking
// handler's change and send its cookie along with the 500.
func TestHandleContextPanicAnsweredByGin(t *testing.T) {
	m, _ := newManager(t, sessions.Options{})
	e := gin.New()
	e.Use(gin.RecoveryWithWriter(io.Discard), sessiongin.Middleware(m))
	e.GET("/outer", func(c *gin.Context) {
		c.Request.URL.Path = "/inner"
		e.HandleContext(c)
	})
	e.GET("/inner", func(c *gin.Context) {
		sessiongin.Session(m, c).Set("k", "v")
		panic("boom")
	})
	srv := serve(t, e)

	resp, _ := do(t, srv, "GET", "/outer", request{})
	if resp.StatusCode != http.StatusInternalServerError {
		t.Errorf("status %d, want gin.Recovery's 500", resp.StatusCode)
	}
	if c := sessionCookie(resp, m); c != nil {
		t.Errorf("the recovery's 500 carries the panicking handler's session cookie: %q", resp.Header.Values("Set-Cookie"))
	}
}
