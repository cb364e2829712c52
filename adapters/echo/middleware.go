package sessionecho

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/sessionkit/sessions"
)

// Middleware returns echo middleware that runs m.Handler around the rest
// of the chain: the session of m is in the request's context for the
// handler (get it with Session), CSRF is checked on unsafe methods, and
// the session's changes are committed once, before the response's first
// byte.
//
// While the rest of the chain runs, c.Request() carries the session and
// c.Response() writes through m.Handler's writer; both are restored when
// the chain returns, as they are when it panics, so middleware registered
// before this one, echo's HTTPErrorHandler and a recovering middleware see
// echo's own response, with the status and size that reached the client.
// The handler's error is returned unchanged; when nothing has been written
// yet, it is first answered by echo's HTTPErrorHandler (c.Error) inside the
// chain, through the response the handler had, so hooks the chain
// registered with c.Response().Before or After run with the error's
// response. If the session cannot be committed, that answer is discarded
// with the rest of the handler's response, and c.Response() is committed
// even when Options.ErrorHandler writes nothing, so that echo's
// HTTPErrorHandler does not answer the returned error after all. When the manager answers the
// request before the handler runs (a CSRF refusal, or a store failure
// while checking the token), the handler is not called. An informational
// status (103 Early Hints) written through c.Response().Writer goes out
// ahead of the handler's final one, as it does without the middleware.
//
// Applying Middleware twice for one manager, to the server and again to a
// group, is harmless: the inner one runs the rest of the chain with the
// session the outer one prepared. c.Response().Hijack (a WebSocket upgrade)
// commits the session before the connection changes hands; see
// [sessions.Manager.Handler] for both.
//
// It is echo.WrapMiddleware(m.Handler) plus that restoring. WrapMiddleware
// leaves the inner response in place after the chain: a recovered panic is
// then answered through the session's writer, committing the panicking
// handler's changes, and after a store failure middleware that reads
// c.Response() after next sees the handler's status, not the error
// handler's that was sent.
//
// A response that sets or clears the session cookie goes out with
// "Cache-Control: no-store" and one "Vary: Cookie" even when middleware
// registered before this one changes those headers in a
// c.Response().Before hook, which echo runs after the session's commit:
// the middleware puts a writer under c.Response().Writer that sets them
// again when the status is written, after every hook. It stays there for
// the rest of the request, so a response that middleware writes after the
// chain returns keeps them as well.
func Middleware(m *sessions.Manager) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req, res := c.Request(), c.Response()
			defer func() {
				c.SetRequest(req)
				c.SetResponse(res)
			}()
			h := &chain{c: c, next: next, status: res.Status}
			h.guard.install(res, m)
			m.Handler(h).ServeHTTP(outerWriter{res}, req)
			if h.inner.Committed && !res.Committed {
				// The handler's response went no further than the
				// session's writer: the commit failed, and
				// Options.ErrorHandler wrote nothing. The client gets
				// net/http's empty 200, as under m.Handler; marked
				// committed, the response is left alone by echo's
				// HTTPErrorHandler, which would otherwise answer the
				// handler's error, the handler's output after all.
				res.Committed = true
			}
			return h.err
		}
	}
}

// outerWriter is echo's outer response as m.Handler writes to it. An
// informational status (103 Early Hints, written through
// c.Response().Writer) goes to the writer under the response, as it does
// without the middleware: echo.Response.WriteHeader would take it for the
// final status, run the Before hooks for it and mark the response
// committed, so the handler's real status would be dropped and the client
// would get 200.
type outerWriter struct{ *echo.Response }

// WriteHeader writes a 1xx status other than 101 under the response, and
// any other through it.
func (w outerWriter) WriteHeader(code int) {
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		w.Response.Writer.WriteHeader(code)
		return
	}
	w.Response.WriteHeader(code)
}

// chain is the http.Handler Middleware hands to m.Handler: it runs the rest
// of echo's chain with the session's request and writer. It holds the inner
// response and the outer response's no-store writer too, so a request
// costs one allocation for all three.
type chain struct {
	c      echo.Context
	next   echo.HandlerFunc
	status int // the outer response's status, set but not sent yet
	inner  echo.Response
	guard  noStoreWriter // under the outer response, see Middleware
	err    error
}

// ServeHTTP installs the request carrying the session, and a c.Response()
// that writes through w, then runs the rest of the chain.
func (h *chain) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.inner = *echo.NewResponse(w, h.c.Echo())
	h.inner.Status = h.status
	h.c.SetRequest(r)
	h.c.SetResponse(&h.inner)
	h.err = h.next(h.c)
	if h.err != nil && !h.inner.Committed {
		// Answer the error here, through the response the chain used, so
		// the Before and After hooks registered on it run, as they would
		// without the middleware. The response is then committed, and
		// echo's HTTPErrorHandler, called again with the returned error,
		// leaves it alone.
		h.c.Error(h.err)
	}
}

// Session returns the request's session of m: inside Middleware(m), the
// session the middleware prepared, committed once before the response's
// first byte; without it, a session whose every change is written to the
// store at once and whose cookie is set on c.Response(), so change it
// before writing the body (see [sessions.Manager.Start]). Nothing is read
// from the store until the session is first used.
func Session(m *sessions.Manager, c echo.Context) *sessions.Session {
	return m.Start(c.Response(), c.Request())
}
