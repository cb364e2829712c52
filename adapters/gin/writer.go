package sessiongin

import (
	"bufio"
	"io"
	"net"
	"net/http"

	"github.com/gin-gonic/gin"
)

// writer is the gin.ResponseWriter the handlers after Middleware see. gin's
// own writer (the embedded ResponseWriter) keeps the status, the size and
// the header map; every call that can send the header goes through session,
// the writer sessions.Manager.Handler passed in, which commits the session
// first. session writes to the embedded writer in turn, so gin's status and
// size stay accurate. Hijack, too, commits through session before gin's
// writer hands the connection over.
type writer struct {
	gin.ResponseWriter
	session http.ResponseWriter
}

// WriteHeaderNow commits the session and sends the header with the status
// recorded so far (by c.Status or WriteHeader).
func (w *writer) WriteHeaderNow() {
	if !w.ResponseWriter.Written() {
		// Commits, then records the same status in gin's writer; on a
		// store failure the error handler answers instead.
		w.session.WriteHeader(w.ResponseWriter.Status())
	}
	w.ResponseWriter.WriteHeaderNow()
}

// Write commits the session, then writes b with the recorded status. After
// a failed commit b is discarded.
func (w *writer) Write(b []byte) (int, error) {
	return w.session.Write(b)
}

// WriteString is Write for a string.
func (w *writer) WriteString(s string) (int, error) {
	return io.WriteString(w.session, s)
}

// Flush commits the session, then sends the header and whatever body is
// buffered.
func (w *writer) Flush() {
	if f, ok := w.session.(http.Flusher); ok {
		f.Flush()
	}
}

// Hijack commits the session, then hands the connection over through gin's
// writer (see sessions.Manager.Handler for what that means for the
// session's cookie). After a failed commit it returns an error and the
// error handler has answered.
func (w *writer) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(w.session).Hijack()
}

// Unwrap returns the session middleware's writer, for
// http.ResponseController.
func (w *writer) Unwrap() http.ResponseWriter { return w.session }
