// Package sessionfasthttp runs github.com/sessionkit/sessions on
// github.com/valyala/fasthttp servers.
//
// fasthttp is not net/http, so [sessions.Manager.Handler] cannot wrap a
// fasthttp handler directly. [Middleware] bridges the two: it hands the
// core's middleware a request and a response writer made from the
// RequestCtx, so the cookie policy, the lazy load, the single commit, the
// CSRF checks and the error handling are the core's own, not a second
// implementation of them.
//
// # Usage
//
//	store := memory.New(memory.Options{})
//	defer store.Close()
//	m, err := sessions.NewManager(store, sessions.Options{})
//	if err != nil {
//		log.Fatal(err)
//	}
//
//	app := func(ctx *fasthttp.RequestCtx) {
//		s := sessionfasthttp.Session(m, ctx)
//		n, err := s.Increment("visits", 1)
//		if err != nil {
//			ctx.Error("try again", fasthttp.StatusServiceUnavailable)
//			return
//		}
//		fmt.Fprintf(ctx, "visit %d", n)
//	}
//
//	log.Fatal(fasthttp.ListenAndServe(":8080", sessionfasthttp.Middleware(m)(app)))
//
// [Session] takes the manager as well as the RequestCtx, so that two
// managers on one server (a site session and an admin session, with
// different cookies) never hand out each other's session.
//
// # When the session is committed
//
// fasthttp keeps the whole response in ctx.Response until the handler
// returns, and only then writes it. The middleware commits the session
// right after the handler returns, in one store round trip, and adds the
// session cookie (with Cache-Control: no-store) and Vary: Cookie to the
// response the handler prepared; status, headers, other cookies and body
// are the handler's. A body streamed with ctx.SetBodyStreamWriter or
// ctx.SetBodyStream is read by fasthttp after the header, cookie included,
// is written, so streaming is safe too. Do not change the session from a
// stream writer: fasthttp may start it before the handler returns or after
// the commit, so whether a change it makes is stored depends on timing.
//
// If the store fails, whether on the load or on the commit, the handler's
// whole response is dropped (a body stream is closed, a ctx.Hijack is called
// off) and the manager's ErrorHandler answers (503 by default), so a client
// never gets a page that was rendered for a session that was not saved.
//
// # CSRF
//
// Unsafe requests are checked by the core before the handler runs: the
// request must not be marked cross-site by the browser (Sec-Fetch-Site,
// Origin) and must carry the session's token from [sessions.Session.CSRFToken]
// in the X-CSRF-Token header or the csrf_token form field. A refused request
// gets 403 and the handler does not run. For a form field, the middleware
// parses the body through ctx.PostArgs or ctx.MultipartForm, so the handler
// finds the form already parsed; with Server.StreamRequestBody a multipart
// body, or a urlencoded one without a Content-Length or over 10 MB, is left
// unread for the handler, and the token must come in the header. Exempt
// patterns (CSRFOptions.ExemptPatterns) match the path fasthttp hands the
// handler, ctx.Path(), decoded and without dot segments.
//
// # Request data
//
// The core reads the request through an *http.Request that holds copies of
// what it needs, so nothing a session or store keeps refers to memory
// fasthttp reuses for the next request. Its context ends when the
// middleware returns.
package sessionfasthttp
