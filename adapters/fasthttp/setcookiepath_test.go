package sessionfasthttp_test

import (
	"strings"
	"testing"

	"github.com/sessionkit/sessions"
	sessionfasthttp "github.com/sessionkit/sessions/adapters/fasthttp"
	"github.com/valyala/fasthttp"
)

// TestHandlerCookieAtOtherPathKept checks that when the session cookie is
// set, only the handler's Set-Cookie lines for that same cookie (name, Path
// and Domain) give way to the session's, as under the core's net/http
// Handler: a line for the name at another Path or Domain (or with no Path,
// which a browser stores under the request's default path), such as an
// application expiring the cookie an earlier configuration left there, is
// another cookie and reaches the client.
func TestHandlerCookieAtOtherPathKept(t *testing.T) {
	cases := []struct {
		name string
		line string // the handler's Set-Cookie line
		kept bool
	}{
		{"other Path", "sid=; Path=/app; Max-Age=0", true},
		{"other Domain", "sid=; Path=/; Domain=example.com; Max-Age=0", true},
		{"same cookie", "sid=stale; Path=/; HttpOnly", false},
		{"no Path (the default path is another)", "sid=stale", true},
		{"same cookie, lower-case attribute", "sid=stale; path=/", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, _ := newManager(t, sessions.Options{CookieName: "sid"})
			base, _ := serve(t, sessionfasthttp.Middleware(m)(func(ctx *fasthttp.RequestCtx) {
				ctx.Response.Header.Add("Set-Cookie", tc.line)
				sessionfasthttp.Session(m, ctx).Set("k", 1)
			}))
			resp, _ := newClient(t, base, m, nil).get("/")
			lines := resp.Header.Values("Set-Cookie")
			var session, handler int
			for _, l := range lines {
				switch {
				case l == tc.line:
					handler++
				case strings.HasPrefix(l, "sid="):
					session++
				}
			}
			want := 0
			if tc.kept {
				want = 1
			}
			if session != 1 || handler != want {
				t.Errorf("Set-Cookie = %q: %d session cookie lines (want 1), %d of the handler's %q (want %d)",
					lines, session, handler, tc.line, want)
			}
		})
	}
}
