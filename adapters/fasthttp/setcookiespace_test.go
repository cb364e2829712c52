package sessionfasthttp_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/sessionkit/sessions"
	sessionfasthttp "github.com/sessionkit/sessions/adapters/fasthttp"
	"github.com/valyala/fasthttp"
)

// TestHandlerCookieSpacesAsCore checks that whether a handler's Set-Cookie
// line is the session cookie, which the session's line replaces, is judged
// as the core's net/http Handler judges it: its attributes are trimmed of
// ASCII spaces only (space, tab, CR, LF, as net/http trims), so a Path
// holding another Unicode space (U+00A0, U+0085) is another Path there,
// and the line reaches the client through the fasthttp adapter too.
func TestHandlerCookieSpacesAsCore(t *testing.T) {
	for _, line := range []string{
		"sid=stale; Path=/",
		"sid=stale;\tPath=/\t",
		"sid=stale;\u00a0Path=/",
		"sid=stale; Path=/\u00a0",
		"sid=stale;\u0085Path=/",
		"sid=stale; Path=/\u0085",
		"sid=stale; Path=/; Domain=\u00a0",
		"\u00a0sid=stale; Path=/",
		"sid\u0085=stale; Path=/",
	} {
		m, _ := newManager(t, sessions.Options{CookieName: "sid"})

		rec := httptest.NewRecorder()
		m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Add("Set-Cookie", line)
			m.Start(w, r).Set("k", 1)
		})).ServeHTTP(rec, httptest.NewRequest("GET", "http://localhost/", nil))
		coreKept := slices.Contains(rec.Result().Header.Values("Set-Cookie"), line)

		base, _ := serve(t, sessionfasthttp.Middleware(m)(func(ctx *fasthttp.RequestCtx) {
			ctx.Response.Header.Add("Set-Cookie", line)
			sessionfasthttp.Session(m, ctx).Set("k", 1)
		}))
		resp, _ := newClient(t, base, m, nil).get("/")
		if kept := slices.Contains(resp.Header.Values("Set-Cookie"), line); kept != coreKept {
			t.Errorf("handler's Set-Cookie %q: kept %v through fasthttp, %v under net/http (Set-Cookie %q)", line, kept, coreKept, resp.Header.Values("Set-Cookie"))
		}
	}
}
