// Package sessionecho runs [sessions.Manager.Handler] as echo middleware.
//
// # Usage
//
// Register [Middleware] on the server (or a group) and get the request's
// session in a handler with [Session]:
//
//	m, err := sessions.NewManager(memory.New(memory.Options{}), sessions.Options{})
//	if err != nil {
//		log.Fatal(err)
//	}
//	e := echo.New()
//	e.Use(middleware.Recover(), sessionecho.Middleware(m))
//	e.GET("/visit", func(c echo.Context) error {
//		n, err := sessionecho.Session(m, c).Increment("visits", 1)
//		if err != nil {
//			return err
//		}
//		return c.String(http.StatusOK, fmt.Sprintf("visit %d", n))
//	})
//	e.POST("/login", func(c echo.Context) error {
//		// Reached only with the X-CSRF-Token header (or csrf_token form
//		// field) carrying a token from s.CSRFToken().
//		if err := sessionecho.Session(m, c).Login(c.FormValue("user")); err != nil {
//			return err
//		}
//		return c.NoContent(http.StatusNoContent)
//	})
//
// # What the middleware guarantees
//
// Everything [sessions.Manager.Handler] guarantees under net/http holds
// under echo:
//
//   - The session is loaded on first use: a handler that never calls
//     Session costs no store call.
//   - Its changes are committed once, just before the response's first
//     byte, whichever way the handler starts the response: c.String,
//     c.JSON, c.Blob, c.Stream, c.NoContent, c.Redirect, c.Response().Write,
//     WriteHeader or Flush, or, for a handler that writes nothing, when
//     the chain returns. A handler's error that nothing has answered yet
//     is answered inside the chain, by echo's HTTPErrorHandler through
//     c.Error, as echo's logger middleware does: so the commit comes just
//     before the error response's first byte, and hooks registered with
//     c.Response().Before or After run for it. The error is still
//     returned up the chain; echo's default HTTPErrorHandler leaves the
//     committed response alone, and a custom one should check
//     c.Response().Committed as the default does. A change after the first
//     byte goes to the store at once, and one that needs a new cookie
//     (Login, say) is refused, as under sessions.Manager.Handler.
//   - Unsafe requests (POST, PUT, PATCH, DELETE, ...) are checked for
//     cross-site origin and for the session's CSRF token before the handler
//     runs; a refused request is answered by the manager's CSRF failure
//     handler (403 by default) and the handler is not called.
//   - When the session cannot be loaded or committed, the manager's error
//     handler answers (503 for [sessions.ErrStoreUnavailable], 413 for
//     [sessions.ErrTooLarge]) and nothing the handler wrote, not its
//     headers nor its body, reaches the client. The response is then
//     committed, so echo's default HTTPErrorHandler leaves it alone; a
//     custom one should check c.Response().Committed as the default does.
//     An error a session method returns to the handler itself (Increment,
//     Login, Save) is the handler's to answer: returned as it is, as in the
//     example above, echo's HTTPErrorHandler answers it 500.
//   - A response that uses the session carries "Vary: Cookie".
//   - A response that sets or clears the session cookie goes out with
//     "Cache-Control: no-store" and one "Vary: Cookie", even when
//     middleware registered before Middleware changes those headers in a
//     c.Response().Before hook (echo runs it after the session's commit).
//
// A handler that panics commits nothing, as under net/http: register
// middleware.Recover before Middleware, and the recovered error response
// goes out without the panicking handler's changes.
//
// # Choosing the manager
//
// [Session] takes the manager explicitly, so a handler names the manager
// whose cookie and store it means; an application with two managers (say,
// one for the site and one for an admin area) cannot read one's session
// through the other's middleware by accident.
package sessionecho
