package sessiongin_test

import (
	"net/http"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/sessionkit/sessions"
	sessiongin "github.com/sessionkit/sessions/adapters/gin"
)

// TestWriterStatusIsWhatWasSent checks that, once the header is out,
// c.Writer.Status() reports the status the client got, as gin's own
// writer does: a status recorded too late (after the first byte) is
// ignored, and after a failed commit the handler's status gives way to
// the error handler's answer (net/http's 200 for one that sets none).
func TestWriterStatusIsWhatWasSent(t *testing.T) {
	for _, tc := range []struct {
		name   string
		fail   bool // the store is down: the commit fails
		handle func(c *gin.Context)
	}{
		{"WriteHeader after the body", false, func(c *gin.Context) {
			c.String(http.StatusOK, "done")
			c.Writer.WriteHeader(http.StatusInternalServerError)
		}},
		{"Status after the body", false, func(c *gin.Context) {
			c.String(http.StatusOK, "done")
			c.Status(http.StatusTeapot)
		}},
		{"Flush after a failed commit", true, func(c *gin.Context) {
			c.Status(http.StatusCreated)
			c.Writer.Flush()
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, st := newManager(t, sessions.Options{ErrorHandler: func(http.ResponseWriter, *http.Request, error) {}})
			e := newEngine(m)
			var seen int
			e.GET("/", func(c *gin.Context) {
				sessiongin.Session(m, c).Set("k", "v")
				tc.handle(c)
				seen = c.Writer.Status()
			})
			srv := serve(t, e)
			var rq request
			if tc.fail {
				resp, _ := do(t, srv, "GET", "/token", request{})
				rq.Cookie = mustCookie(t, resp, m)
				st.Down.Store(true)
			}

			resp, _ := do(t, srv, "GET", "/", rq)
			if seen != resp.StatusCode {
				t.Errorf("c.Writer.Status() = %d after the header went out, the client got %d", seen, resp.StatusCode)
			}
		})
	}
}
