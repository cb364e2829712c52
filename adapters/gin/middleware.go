package sessiongin

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/sessionkit/sessions"
)

// Middleware returns gin middleware that runs m.Handler around the rest of
// the chain: the session of m is in the request's context for later
// handlers (get it with Session), CSRF is checked on unsafe methods, and
// the session's changes are committed once, before the response's first
// byte.
//
// While the rest of the chain runs, c.Request carries the session and
// c.Writer routes the response through m.Handler's writer; both are
// restored when the chain returns, as they are when it panics, so
// middleware registered before this one (gin.Logger, gin.Recovery) sees
// gin's own writer, with the status and size that reached the client. When
// the manager answers the request before the chain runs (a CSRF refusal,
// or a store failure while checking the token), the chain is aborted: no
// later handler runs. c.Writer.Hijack (a WebSocket upgrade) commits the
// session before the connection changes hands (see
// [sessions.Manager.Handler]).
func Middleware(m *sessions.Manager) gin.HandlerFunc {
	key := passKey{m}
	return func(c *gin.Context) {
		if s := m.FromContext(c.Request.Context()); s != nil {
			if sw := s.ResponseWriter(); sw != nil {
				if w, ok := c.Writer.(*writer); ok && w.session == sw {
					c.Next() // registered twice in the chain: already served
					return
				}
				if u, ok := sw.(interface{ Unwrap() http.ResponseWriter }); ok {
					// The session's writer wraps a gin writer: this
					// middleware served the request. Either c.Writer is that
					// writer again, or the pass marker c.HandleContext's
					// reset cleared is gone (a middleware before this one
					// wrapped gin's writer anew for the re-run): this is
					// a re-run, whose writes must go through the session.
					if gw, ok := u.Unwrap().(gin.ResponseWriter); ok {
						if _, samePass := c.Get(key); gw == c.Writer || !samePass {
							reenter(c, sw, key)
							return
						}
					}
				}
			}
		}
		c.Set(key, true)
		req, gw := c.Request, c.Writer
		// Restored even when a handler panics, so that a recovering
		// middleware registered before this one answers through gin's own
		// writer and does not commit the panicking handler's changes.
		defer func() { c.Request, c.Writer = req, gw }()
		h := &chain{c: c}
		h.w.ResponseWriter = gw
		m.Handler(h).ServeHTTP(gw, req)
		if !h.ran {
			// The manager answered the request itself: no later handler
			// may run.
			c.Abort()
		}
	}
}

// reenter runs the rest of the chain for a request whose session this
// middleware already serves: c.HandleContext re-runs the whole chain with
// gin's own writer put back in c.Writer. Instead of a second session (whose
// cookie would replace the first one's, orphaning any change made before
// HandleContext), c.Writer writes through the first session's writer, sw,
// again. gin sends the header when the re-run chain ends, so a re-run
// handler that wrote nothing has the session committed here, as
// Manager.Handler does when its handler returns; the handler that called
// HandleContext keeps writing through sw. A panic puts gin's writer back,
// as in Middleware.
func reenter(c *gin.Context, sw http.ResponseWriter, key passKey) {
	c.Set(key, true)
	gw := c.Writer
	h := &chain{c: c, ran: true}
	h.w.ResponseWriter, h.w.session = gw, sw
	c.Writer = &h.w
	done := false
	defer func() {
		if !done {
			c.Writer = gw
		}
	}()
	c.Next()
	h.w.sendStatus()
	done = true
}

// passKey is the gin.Context key under which Middleware(m) marks that it
// serves the current pass of the chain. c.HandleContext clears the keys, so
// a re-run does not find it.
type passKey struct{ m *sessions.Manager }

// chain is the http.Handler Middleware hands to m.Handler: it runs the rest
// of gin's chain with the session's request and writer. It holds the
// writer too, so a request costs one allocation for both.
type chain struct {
	c   *gin.Context
	w   writer
	ran bool
}

// ServeHTTP installs the request carrying the session, and a c.Writer that
// writes through w, then runs the rest of the chain.
func (h *chain) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.ran = true
	h.w.session = w
	h.c.Request, h.c.Writer = r, &h.w
	h.c.Next()
	if h.w.status != 0 {
		// A status recorded and nothing written: commit now, so that the
		// status reaches gin's writer only if the commit succeeds.
		h.w.sendStatus()
	}
}

// Session returns the request's session of m: inside Middleware(m), the
// session the middleware prepared, committed once before the response's
// first byte; without it, a session whose every change is written to the
// store at once and whose cookie is set on c.Writer, so change it before
// writing the body (see [sessions.Manager.Start]). Nothing is read from the
// store until the session is first used.
func Session(m *sessions.Manager, c *gin.Context) *sessions.Session {
	return m.Start(c.Writer, c.Request)
}
