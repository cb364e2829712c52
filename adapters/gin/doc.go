// Package sessiongin runs [sessions.Manager.Handler] as gin middleware.
//
// # Usage
//
// Register [Middleware] on the engine (or a group) and get the request's
// session in a handler with [Session]:
//
//	m, err := sessions.NewManager(memory.New(memory.Options{}), sessions.Options{})
//	if err != nil {
//		log.Fatal(err)
//	}
//	r := gin.New()
//	r.Use(gin.Recovery(), sessiongin.Middleware(m))
//	r.GET("/visit", func(c *gin.Context) {
//		s := sessiongin.Session(m, c)
//		n, _ := s.Increment("visits", 1)
//		c.String(http.StatusOK, "visit %d", n)
//	})
//	r.POST("/login", func(c *gin.Context) {
//		// Reached only with the X-CSRF-Token header (or csrf_token form
//		// field) carrying a token from s.CSRFToken().
//		if err := sessiongin.Session(m, c).Login(c.PostForm("user")); err != nil {
//			c.AbortWithStatus(http.StatusInternalServerError)
//			return
//		}
//		c.Status(http.StatusNoContent)
//	})
//
// # What the middleware guarantees
//
// Everything [sessions.Manager.Handler] guarantees under net/http holds
// under gin:
//
//   - The session is loaded on first use: a handler that never calls
//     Session costs no store call.
//   - Its changes are committed once, just before the response's first
//     byte, whichever way the handler starts the response: c.String,
//     c.JSON, c.Data, c.Redirect, c.Stream, c.AbortWithStatus,
//     c.Writer.WriteHeaderNow, Write or Flush, or, for a handler that
//     writes nothing, when the chain returns, before gin sends the status.
//     A change after the first byte goes to the store at once, and one
//     that needs a new cookie (Login, say) is refused, as under
//     sessions.Manager.Handler.
//   - Unsafe requests (POST, PUT, PATCH, DELETE, ...) are checked for
//     cross-site origin and for the session's CSRF token before any later
//     handler runs; a refused request is answered by the manager's CSRF
//     failure handler (403 by default) and the chain is aborted.
//     CSRF exempt patterns (CSRFOptions.ExemptPatterns) do not apply to
//     a request whose path has an escaped slash or a segment that decodes
//     to "." or ".." (the core's rule): gin routes such a path differently
//     under UseRawPath, UseEscapedPath and RemoveExtraSlash, so it is
//     checked whatever route it reaches.
//   - When the store fails, the manager's error handler answers (503 for
//     [sessions.ErrStoreUnavailable]) and nothing the handler wrote, not
//     its headers nor its body, reaches the client.
//   - A response that uses the session carries "Vary: Cookie".
//
// gin defers the status line: c.Status and c.Writer.WriteHeader only record
// the code, and the header goes out with the first byte of the body or at
// WriteHeaderNow. The middleware keeps that: a value set between c.Status
// and the first write is still committed, and the recorded status is the
// one the client gets.
//
// A handler that panics commits nothing, as under net/http: register
// gin.Recovery before Middleware, and the recovered 500 goes out without
// the panicking handler's changes.
//
// An internal redirect with c.HandleContext re-runs the chain on the same
// request: the middleware serves the re-run with the request's session (one
// session, one cookie), so changes made before HandleContext and inside the
// re-run are stored together. gin sends the header when the re-run ends,
// so a change made after HandleContext returns is not stored. This holds
// also when a middleware before this one wraps c.Writer (gzip, body
// capture) and wraps it anew for the re-run: the middleware marks each pass
// it serves in c.Keys, which HandleContext clears, so every request has a
// c.Keys map. The re-run must pass through Middleware: HandleContext to a
// route outside the middleware's group writes through gin's own writer,
// so its response goes out before the session is committed, and a session
// created, logged in or renewed before HandleContext is stored without
// its cookie reaching the client. Register Middleware on the engine, or on
// a group holding both routes.
//
// # Choosing the manager
//
// [Session] takes the manager explicitly, so a handler names the manager
// whose cookie and store it means; an application with two managers (say,
// one for the site and one for an admin area) cannot read one's session
// through the other's middleware by accident.
package sessiongin
