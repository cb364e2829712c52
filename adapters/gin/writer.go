package sessiongin

import (
	"bufio"
	"io"
	"net"
	"net/http"

	"github.com/gin-gonic/gin"
)

// writer is the gin.ResponseWriter the handlers after Middleware see. gin's
// own writer (the embedded ResponseWriter) keeps the size and the header
// map; every call that can send the header goes through session, the
// writer sessions.Manager.Handler passed in, which commits the session
// first. session writes to the embedded writer in turn, so gin's status and
// size stay accurate. Hijack, too, commits through session before gin's
// writer hands the connection over.
//
// The status a handler records before its first byte (c.Status,
// WriteHeader) is kept here, not in gin's writer, until it goes through
// session with the header: after a failed commit session passes it on no
// further, so only the error handler's status, or net/http's 200 when the
// error handler sets none, reaches gin's writer and the client.
type writer struct {
	gin.ResponseWriter
	session http.ResponseWriter
	status  int // recorded and not yet sent through session; 0 for none
}

// WriteHeader records code for the header, as gin's writer does: it is
// sent with the first byte of the body or at WriteHeaderNow.
func (w *writer) WriteHeader(code int) {
	if code <= 0 || w.ResponseWriter.Written() {
		// gin's writer ignores it (and warns when the header is out).
		w.ResponseWriter.WriteHeader(code)
		return
	}
	w.status = code
}

// Status returns the status recorded so far, or the one sent.
func (w *writer) Status() int {
	if w.status != 0 {
		return w.status
	}
	return w.ResponseWriter.Status()
}

// sendStatus passes the recorded status through session, which commits the
// session and, if that succeeds, records the status in gin's writer. gin
// sends it with the first byte of the body or at WriteHeaderNow.
func (w *writer) sendStatus() {
	if w.ResponseWriter.Written() {
		w.status = 0
		return
	}
	code := w.Status()
	w.status = 0
	w.session.WriteHeader(code)
}

// WriteHeaderNow commits the session and sends the header with the status
// recorded so far (by c.Status or WriteHeader).
func (w *writer) WriteHeaderNow() {
	// On a store failure the error handler answers instead.
	w.sendStatus()
	w.ResponseWriter.WriteHeaderNow()
}

// Write commits the session, then writes b with the recorded status. After
// a failed commit b is discarded.
func (w *writer) Write(b []byte) (int, error) {
	w.sendStatus()
	return w.session.Write(b)
}

// WriteString is Write for a string.
func (w *writer) WriteString(s string) (int, error) {
	w.sendStatus()
	return io.WriteString(w.session, s)
}

// Header returns the response's header through session: the same map as
// gin's writer until a failed commit, and after one a header that goes
// nowhere, so what the handler sets then (a trailer through
// http.TrailerPrefix, which HTTP/2 sends whenever it is set) does not reach
// the client with the error handler's answer.
func (w *writer) Header() http.Header { return w.session.Header() }

// Flush commits the session, then sends the header and whatever body is
// buffered.
func (w *writer) Flush() { _ = w.FlushError() }

// FlushError is Flush returning session's error, which
// http.ResponseController's Flush returns: after a failed commit the error
// handler has answered and it reports that, so a stream stops. (gin's own
// writer reports no error of its own flush.)
func (w *writer) FlushError() error {
	w.sendStatus()
	return http.NewResponseController(w.session).Flush()
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
