package sessions

import (
	"bufio"
	"context"
	"errors"
	"io"
	"maps"
	"net"
	"net/http"
)

// Handler is the net/http middleware: it has the shape
// func(http.Handler) http.Handler, so it composes with any router.
//
// It places the request's session in the context (Start and FromContext
// return it), checks CSRF on unsafe methods (see CSRFOptions), and commits
// the session's changes once, in one store round trip, just before the
// response's first byte: on the first WriteHeader, Write or Flush, or when
// the handler returns having written nothing. A handler that never touches
// the session costs no store call on a safe method (GET, HEAD, OPTIONS,
// TRACE); on any other, the CSRF check reads the session the request's
// cookie names (unless CSRF is disabled or the request is exempt). A
// change made after that commit, once the response has started, goes to
// the store at once if the store alone can carry it (values, Destroy); one
// that needs a new cookie (a new session, Login, Renew), or any change
// with the cookie store, is refused with ErrResponseStarted (Login) or an
// EventLostWrite; CSRFToken then returns "".
//
// If the session cannot be loaded or committed, the handler's response is
// discarded and Options.ErrorHandler answers instead, so a failing store
// never lets a request through with a stale or missing identity. The
// answer keeps the session cookie a logout or a new ID stored earlier in
// the request set (see Options.ErrorHandler). A store
// that panics during a commit (a bug in it) fails it the same way; the
// panic then goes on, to net/http or a recovering middleware, whose
// answer finds the request answered.
//
// The writer next gets hijacks (through w.(http.Hijacker) or
// http.ResponseController, for a WebSocket upgrade) when the server's
// writer can, as over HTTP/1, and is no http.Hijacker when it cannot, as
// over HTTP/2, so code that probes for one sees what the server offers.
// Before a hijack the session is committed, so the changes made before the
// upgrade are stored. The
// headers the commit sets, the session cookie among them, are not sent,
// since the connection's new owner writes the response: an upgrading
// handler should use the session the request already has, as one it
// starts there is stored with no cookie naming it. When that commit fails
// the error handler answers and the hijack fails.
//
// A request that already has a session of m, because Handler is applied
// twice on its way (around the whole mux and again around a route group)
// or an internal dispatch serves it again with its own context, is passed
// to next as it is: it keeps that one session, committed by the outermost
// Handler, rather than getting a second session whose cookie would replace
// the first one's and leave the other's changes in a session no cookie
// names.
func (m *Manager) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, served := r.Context().Value(m.ctxKey).(*Session); served {
			next.ServeHTTP(w, r)
			return
		}
		s := &Session{m: m, meta: &noMeta}
		s.rw.ResponseWriter, s.rw.s = w, s
		s.ctx.Context, s.ctx.s = r.Context(), s
		orig := r
		r = r.WithContext(&s.ctx)
		s.r = r
		defer removeMultipartFiles(r, orig)
		if !m.csrf.allow(s, r) {
			return
		}
		next.ServeHTTP(s.rw.outer(), r)
		s.rw.finish()
	})
}

// removeMultipartFiles removes the temporary files of a multipart form
// parsed on r, the copy of orig that Handler passes on (by the CSRF check
// looking for its form field, or by the handler). net/http removes only
// the files of the form on the request it handed out, orig, so those of a
// form parsed on the copy would stay on disk.
func removeMultipartFiles(r, orig *http.Request) {
	if f := r.MultipartForm; f != nil && f != orig.MultipartForm {
		f.RemoveAll()
	}
}

// ResponseWriter returns the writer Manager.Handler gave the handler of
// this session's request: writing through it commits the session before
// the response's first byte. It is nil for a session made outside Handler.
// A framework adapter uses it to route a writer the framework put back
// (gin's HandleContext, for one) through the session again.
func (s *Session) ResponseWriter() http.ResponseWriter {
	if s.writeThrough {
		return nil
	}
	return s.rw.outer()
}

// sessionContext is the request context Handler installs: the parent with
// the session under the manager's key, as context.WithValue would make it.
// It lives inside the Session, which saves that allocation per request.
type sessionContext struct {
	context.Context
	s *Session
}

// Value returns the session for the manager's key and asks the parent for
// any other.
func (c *sessionContext) Value(key any) any {
	switch k := key.(type) {
	case *int:
		if k == c.s.m.ctxKey {
			return c.s
		}
	case aliasSinkKey:
		return &c.s.aliasAt
	}
	return c.Context.Value(key)
}

// responseWriter commits the session before the first byte goes out.
// Its state (whether the commit ran, whether it failed) lives in the
// Session's flags, which keeps the Session in a smaller size class.
type responseWriter struct {
	http.ResponseWriter
	s *Session
}

func (w *responseWriter) commit() {
	if w.s.sent {
		return
	}
	w.s.sent = true
	s := w.s
	report, key, user, bug, err := s.commitFinal(w)
	if err != nil {
		w.s.failed = true
		// Nothing the handler prepared reaches the client: not its cookies,
		// redirects or headers, only the error handler's answer. What the
		// request stored before the commit failed stands, though (a
		// logout; a session stored under a new ID by a Save, an Increment
		// or the first step of a renewal), and the client must hear of it:
		// the answer keeps the session cookie's line, or the client keeps
		// a cookie naming a session that is gone (with the cookie store,
		// one still logged in) while the store keeps one no cookie names.
		h := w.ResponseWriter.Header()
		keep := s.cookieLines(h)
		clear(h)
		answer := w.ResponseWriter
		if keep != nil {
			h["Set-Cookie"] = keep
			answer = &cookieAnswer{answer}
			noStore(answer)
		}
		s.m.opts.ErrorHandler(answer, s.r, err)
		if keep != nil {
			noStore(answer) // for an answer the error handler left to net/http
		}
		s.x.answer = h.Clone() // for finish; commitFinal made s.x
	}
	// Reported once answered: an OnEvent that panics here, recovered by a
	// middleware inside Handler, finds the request answered and its
	// writes discarded, rather than sending the handler's headers along
	// with the recovering middleware's answer.
	if report {
		s.m.emit(s.r, EventStoreError, key, user, err)
	}
	if bug != nil {
		// A store panicked: the request is answered as for a failed
		// commit, and the panic goes on to net/http or the recovering
		// middleware, as it would without the manager.
		panic(bug)
	}
}

// finish ends the request: it commits the session if the handler wrote
// nothing. After a failed commit it puts back the header the error handler
// answered with. A handler that took the header map before the failure
// (h := w.Header()) still holds the server's own, and what it set there
// since, trailers through http.TrailerPrefix among them, net/http would
// send after the error handler's answer when the handler returns.
func (w *responseWriter) finish() {
	w.commit()
	if w.s.failed {
		h := w.ResponseWriter.Header()
		clear(h)
		maps.Copy(h, w.s.x.answer)
	}
}

// commitFinal is the middleware's commit under the session's lock. The
// lock is released however it ends: the commit emits events, and an
// Options.OnEvent that panics, answered by a recovering middleware inside
// Handler, must not leave the session locked for the code that runs after.
// Nor may it leave the session waiting for a commit that has run: what
// the commit stored stands, the recovering middleware's answer is the
// response, and a later change goes to the store at once (see late).
// A panic from anything else, a store call among them, leaves the commit
// half done: it fails as a store error does, and its value is returned
// (bug) for the caller to raise again once the error handler has answered.
// It returns whether the commit's error is still to be reported, the
// session the report names, the panic's value, and the error.
func (s *Session) commitFinal(w *responseWriter) (report bool, key, user string, bug any, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	// From now on the response carries no session cookie: a change goes to
	// the store at once, or is refused if it needs a new cookie. Deferred,
	// so that a panic from OnEvent (err still nil) sets it too.
	defer func() { s.late = err == nil }()
	if s.loaded {
		bug, err = s.commitGuarded()
		if err == nil {
			if s.noStore[0] != "" {
				// The response sets or clears the session cookie (noStore
				// ran when it did), perhaps since an earlier Save, after
				// which the handler or net/http (ServeContent's error
				// answers) may have changed Cache-Control: it must still
				// be uncacheable.
				noStore(w)
			} else {
				s.vary[0] = "Cookie"
				addVaryTo(w.ResponseWriter.Header(), s.vary[:1:1])
			}
		}
	}
	report = err != nil && !s.reported
	if report {
		s.reported = true
	}
	if err != nil {
		s.more().discard = make(http.Header) // see Header
	}
	// The event names the session the failed write was for: a destroyed
	// one's delete that failed leaves it alive.
	key, user = s.key, s.meta.User
	if key == "" {
		key, user = s.dropKey(), s.dropUser()
	}
	return report, key, user, bug, err
}

// commitGuarded is the middleware's commit, s.commit(true), with a panic
// that does not come from Options.OnEvent (see Session.emit), such as a
// store's, returned rather than raised, once commit has made it the
// session's failure (see failOnPanic): the error handler answers before it
// goes on. It returns the panic's value, if any, and the commit's error.
// Callers hold s.mu.
func (s *Session) commitGuarded() (bug any, err error) {
	defer func() {
		if s.emitting {
			return // OnEvent panicked: see commitFinal
		}
		if bug = recover(); bug != nil {
			err = s.err
		}
	}()
	return nil, s.commit(true)
}

// WriteHeader commits the session, then writes the status. Informational
// 1xx statuses (other than 101) pass through without committing, as does
// a code that is no HTTP status (outside 100-999): net/http panics on it,
// and no response goes out to carry the session.
func (w *responseWriter) WriteHeader(code int) {
	if (code < 200 && code != http.StatusSwitchingProtocols) || code > 999 {
		w.ResponseWriter.WriteHeader(code)
		return
	}
	w.commit()
	if w.s.failed {
		return
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write commits the session, then writes b. After a failed commit the
// handler's body is discarded.
func (w *responseWriter) Write(b []byte) (int, error) {
	w.commit()
	if w.s.failed {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

// Header returns the response's header. After a failed commit it returns
// a header of the session's own that goes nowhere: the error handler has
// answered, and what the handler sets then, such as a trailer through
// http.TrailerPrefix (which HTTP/2 sends whenever it is set), must not
// reach the client with that answer.
func (w *responseWriter) Header() http.Header {
	if w.s.failed {
		return w.s.x.discard // made by commit before it set failed
	}
	return w.ResponseWriter.Header()
}

// Flush commits the session, then flushes the response.
func (w *responseWriter) Flush() { _ = w.FlushError() }

// FlushError commits the session, then flushes the response and returns
// the server writer's error (http.ResponseController's Flush calls it), so
// a streaming handler learns that its client is gone, or that the server
// cannot flush (http.ErrNotSupported). After a failed commit it sends the
// error handler's answer on its way and returns errAnswered, so a stream
// stops rather than writing on into the void.
func (w *responseWriter) FlushError() error {
	w.commit()
	err := http.NewResponseController(w.ResponseWriter).Flush()
	if w.s.failed {
		return errAnswered
	}
	return err
}

var errAnswered = errors.New("sessions: the session could not be committed, and Options.ErrorHandler has answered the request; the handler's response is discarded")

// WriteString commits the session, then writes s through the server's
// writer's own WriteString when it has one (net/http's does), which spares
// io.WriteString the copy of s into a byte slice. After a failed commit s
// is discarded, as Write discards.
func (w *responseWriter) WriteString(s string) (int, error) {
	w.commit()
	if w.s.failed {
		return len(s), nil
	}
	return io.WriteString(w.ResponseWriter, s)
}

// ReadFrom commits the session, then copies src to the response through
// the server's writer, so io.Copy and http.ServeContent keep net/http's
// sendfile path (and its pooled buffer) for files served under Handler.
// After a failed commit src is read and discarded, as Write discards.
func (w *responseWriter) ReadFrom(src io.Reader) (int64, error) {
	w.commit()
	if w.s.failed {
		return io.Copy(io.Discard, src)
	}
	return io.Copy(w.ResponseWriter, src)
}

// outer returns the writer the handler gets: w itself, or w with Hijack
// when the server's writer can hijack.
func (w *responseWriter) outer() http.ResponseWriter {
	if canHijack(w.ResponseWriter) {
		return hijackWriter{w}
	}
	return w
}

// canHijack reports whether http.ResponseController can hijack w: whether
// w or a writer its Unwrap chain leads to is an http.Hijacker.
func canHijack(w http.ResponseWriter) bool {
	for {
		switch t := w.(type) {
		case http.Hijacker:
			return true
		case interface{ Unwrap() http.ResponseWriter }:
			w = t.Unwrap()
		default:
			return false
		}
	}
}

// hijackWriter is responseWriter with Hijack, for a server writer that can
// hijack. Holding only a pointer, it converts to an interface without an
// allocation.
type hijackWriter struct{ *responseWriter }

// Hijack commits the session, then hands the connection over (see
// Manager.Handler). It serves code that asserts w.(http.Hijacker) as well
// as http.ResponseController.
func (w hijackWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	w.commit()
	if w.s.failed {
		return nil, nil, errHijackAfterFailure
	}
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

var errHijackAfterFailure = errors.New("sessions: connection not hijacked: the session could not be committed, and Options.ErrorHandler has answered the request")

// Unwrap returns the wrapped writer, for http.ResponseController.
func (w *responseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
