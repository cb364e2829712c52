package sessionfasthttp_test

import (
	"net/http"
	"sync"
	"testing"

	"github.com/sessionkit/sessions"
	sessionfasthttp "github.com/sessionkit/sessions/adapters/fasthttp"
	"github.com/valyala/fasthttp"
)

// TestCSRFExemptPatternMatchesRoutedPath checks that a CSRF exempt pattern
// is matched against the path fasthttp hands the handler (ctx.Path(),
// decoded and with dot segments removed), not the raw request target: an
// encoded slash or dot segment that fasthttp resolves to a path outside the
// exempt pattern must not carry a forged cross-site request, without a
// token, to that other path, and a target fasthttp cleans into an exempt
// route (a repeated slash, a "." segment) is exempt.
func TestCSRFExemptPatternMatchesRoutedPath(t *testing.T) {
	m, _ := newManager(t, sessions.Options{CSRF: sessions.CSRFOptions{
		ExemptPatterns: []string{"POST /hooks/{name}", "POST /in/"},
	}})
	var mu sync.Mutex
	var reached []string
	base, _ := serve(t, sessionfasthttp.Middleware(m)(func(ctx *fasthttp.RequestCtx) {
		mu.Lock()
		reached = append(reached, string(ctx.Path()))
		mu.Unlock()
	}))
	c := newClient(t, base, m, nil)
	cases := []struct {
		target string // the raw request target
		routed string // ctx.Path() fasthttp gives the handler
		status int
	}{
		{"/hooks/deploy", "/hooks/deploy", 200},
		{"/in/a/b", "/in/a/b", 200},
		{"/hooks/..%2Fadmin", "/admin", 403},
		{"/hooks/..%2fadmin", "/admin", 403},
		{"/hooks/x%2F..%2F..%2Fadmin", "/admin", 403},
		{"/in/..%2F..%2Fadmin", "/admin", 403},
		{"/in/%2e%2e/admin", "/admin", 403},
		{"/hooks/a%2Fb", "/hooks/a/b", 403},
		// A target fasthttp cleans into an exempt route is exempt, as the
		// route it reaches is: matched against the raw target, which
		// http.ServeMux answers with a redirect rather than a pattern,
		// the webhook would be refused though the handler serves it.
		{"//hooks/deploy", "/hooks/deploy", 200},
		{"/hooks//deploy", "/hooks/deploy", 200},
		{"/hooks/./deploy", "/hooks/deploy", 200},
		{"/in//a", "/in/a", 200},
		{"/in/./a", "/in/a", 200},
	}
	for _, tc := range cases {
		mu.Lock()
		reached = nil
		mu.Unlock()
		resp, body := c.do("POST", tc.target, nil, "Sec-Fetch-Site", "cross-site")
		mu.Lock()
		got := reached
		mu.Unlock()
		if resp.StatusCode != tc.status {
			t.Errorf("cross-site POST %s (routed to %s): %d %q, handler reached %q; want %d",
				tc.target, tc.routed, resp.StatusCode, body, got, tc.status)
			continue
		}
		if tc.status == http.StatusOK && (len(got) != 1 || got[0] != tc.routed) {
			t.Errorf("POST %s: handler reached %q, want %s", tc.target, got, tc.routed)
		}
		if tc.status == http.StatusForbidden && len(got) != 0 {
			t.Errorf("POST %s: refused, but the handler ran at %q", tc.target, got)
		}
	}
}
