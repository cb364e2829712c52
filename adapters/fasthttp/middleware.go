package sessionfasthttp

import (
	"context"
	"net/http"

	"github.com/sessionkit/sessions"
	"github.com/valyala/fasthttp"
)

// sessionKey is the RequestCtx user-value key under which Middleware keeps
// the request's session: one key per manager, so the sessions of two
// managers on one request never mix, and no other package can collide with
// it.
type sessionKey struct{ m *sessions.Manager }

// Middleware returns fasthttp middleware that gives next's requests a
// session of m, with the guarantees Manager.Handler gives net/http handlers:
//
//   - The session is loaded lazily: a handler that never calls Session
//     makes no store call.
//   - Its changes are committed once, in one store round trip, after next
//     returns and before fasthttp writes the first byte of the response;
//     the session cookie, Cache-Control: no-store and Vary: Cookie are then
//     added to the response next prepared. This holds for a body streamed
//     with SetBodyStreamWriter or SetBodyStream too: fasthttp writes the
//     header, cookie included, before it reads the stream.
//   - Unsafe requests (POST, PUT, PATCH, DELETE, ...) pass the core's CSRF
//     checks (CSRFOptions) before next runs; a refused request is answered
//     by the failure handler (403 by default) and next does not run.
//   - If the session cannot be loaded or committed, everything next put in
//     the response (status, headers, cookies, body or body stream) is
//     discarded, a ctx.Hijack it asked for is called off, and
//     Options.ErrorHandler answers instead (503 when the store is
//     unavailable).
//
// Inside next, Session(m, ctx) returns the session. Changes made after next
// returns are not stored; do not change the session from a stream writer
// (fasthttp may run it before or after the commit).
//
// The core sees the request as an *http.Request built from ctx, with copies
// of the method, URL, Host, headers, remote address and TLS state, so
// nothing the session or the store keeps (a User-Agent recorded at login,
// an address in a guessing counter) points into fasthttp's reused buffers.
// Its context ends when Middleware returns, as a net/http request's does
// when ServeHTTP returns. The body is not attached: for the CSRF form field,
// the form of an unsafe multipart/form-data request is parsed through ctx
// (ctx.MultipartForm), and that of an application/x-www-form-urlencoded
// one (through ctx.PostArgs) only when the check looks for the field, as
// under Manager.Handler: not on an exempt route, with the token in the
// header, or for a session without a CSRF secret, which is refused with
// its body unread. Either form is kept for next. A body streamed with
// Server.StreamRequestBody is left unread for next when it is multipart, or
// urlencoded without a Content-Length or over 10 MB, so such requests must
// carry the CSRF token in the header. The URL's path is ctx.Path(), the one
// fasthttp routes by, so CSRF exempt patterns match the route next serves.
//
// Applying Middleware twice for one manager on a route is harmless: the
// inner one sees the session is already there and just calls next.
//
// Middleware panics if m is nil.
func Middleware(m *sessions.Manager) func(next fasthttp.RequestHandler) fasthttp.RequestHandler {
	if m == nil {
		panic("sessionfasthttp: Middleware needs a non-nil *sessions.Manager")
	}
	key := sessionKey{m}
	return func(next fasthttp.RequestHandler) fasthttp.RequestHandler {
		// The core's middleware, built once: per-request state reaches inner
		// through the response writer (see responseWriterOf).
		h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rw := responseWriterOf(w)
			ctx := rw.ctx
			rw.ran = true
			ctx.SetUserValue(key, m.FromContext(r.Context()))
			defer ctx.RemoveUserValue(key)
			next(ctx)
			// next's response is complete in ctx.Response and fasthttp has
			// sent nothing yet. Writing the marker through the core's writer
			// commits the session; the marker comes through to rw only if
			// the commit succeeded. Otherwise the error handler has answered
			// through rw instead.
			w.Write(passMarker)
		}))
		return func(ctx *fasthttp.RequestCtx) {
			if ctx.UserValue(key) != nil {
				next(ctx)
				return
			}
			serve(ctx, h)
		}
	}
}

// serve runs one request through the core's middleware h.
func serve(ctx *fasthttp.RequestCtx, h http.Handler) {
	c, cancel := context.WithCancel(context.Background())
	rw := &responseWriter{ctx: ctx}
	defer func() {
		cancel()
		// The session may outlive the request if a handler keeps it; then
		// its writer must not reach a RequestCtx fasthttp has reused.
		rw.ctx = nil
	}()
	r := newRequest(ctx, c)
	defer func() {
		if b, ok := r.Body.(*formBody); ok {
			b.end()
		}
	}()
	h.ServeHTTP(rw, r)
	rw.finish()
}

// Session returns the session Middleware(m) prepared for the request, or nil
// outside that middleware (and after it returned). It takes the manager so
// that an application with two managers (say, one for the site and one for
// an admin area) always gets the session it asks for; there is no
// package-level default to confuse them.
//
// The session is valid for the request only: do not keep it, or use it to
// change values, after the handler returns.
func Session(m *sessions.Manager, ctx *fasthttp.RequestCtx) *sessions.Session {
	s, _ := ctx.UserValue(sessionKey{m}).(*sessions.Session)
	return s
}
