package sessionfasthttp_test

import (
	"strings"
	"testing"

	"github.com/sessionkit/sessions"
	sessionfasthttp "github.com/sessionkit/sessions/adapters/fasthttp"
	"github.com/valyala/fasthttp"
)

// TestHandlerCookieLeadingDotDomainReplaced checks that a handler's
// Set-Cookie line for the session cookie whose Domain has a leading dot
// (".example.com") names the same cookie as the session's
// "Domain=example.com", as browsers and the core under net/http take it:
// it gives way to the session's line instead of reaching the client
// beside it.
func TestHandlerCookieLeadingDotDomainReplaced(t *testing.T) {
	for _, line := range []string{
		"sid=stale; Path=/; Domain=.example.com",
		"sid=stale; Path=/; Domain=.EXAMPLE.com",
	} {
		t.Run(line, func(t *testing.T) {
			m, _ := newManager(t, sessions.Options{CookieName: "sid", Domain: "example.com"})
			base, _ := serve(t, sessionfasthttp.Middleware(m)(func(ctx *fasthttp.RequestCtx) {
				ctx.Response.Header.Add("Set-Cookie", line)
				sessionfasthttp.Session(m, ctx).Set("k", 1)
			}))
			resp, _ := newClient(t, base, m, nil).get("/")
			lines := resp.Header.Values("Set-Cookie")
			n := 0
			for _, l := range lines {
				if strings.HasPrefix(l, "sid=") {
					n++
				}
			}
			if n != 1 || strings.Contains(strings.Join(lines, "\n"), "sid=stale") {
				t.Errorf("Set-Cookie = %q, want the session's line only", lines)
			}
		})
	}
}
