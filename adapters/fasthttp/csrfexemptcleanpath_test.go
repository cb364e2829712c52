package sessionfasthttp_test

import (
	"net/http"
	"sync"
	"testing"

	"github.com/sessionkit/sessions"
	sessionfasthttp "github.com/sessionkit/sessions/adapters/fasthttp"
	"github.com/valyala/fasthttp"
)

// TestCSRFExemptPatternMatchesCleanedPath checks the other side of
// matching CSRF exempt patterns against ctx.Path(): a request target that
// fasthttp cleans into an exempt route (a repeated slash, a "." segment)
// is exempt, as the route it reaches is. Matched against the raw target,
// which http.ServeMux answers with a redirect rather than a pattern, the
// webhook would be refused though the handler serves it.
func TestCSRFExemptPatternMatchesCleanedPath(t *testing.T) {
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
	for _, tc := range []struct {
		target string // the raw request target
		routed string // ctx.Path() fasthttp gives the handler
	}{
		{"//hooks/deploy", "/hooks/deploy"},
		{"/hooks//deploy", "/hooks/deploy"},
		{"/hooks/./deploy", "/hooks/deploy"},
		{"/in//a", "/in/a"},
		{"/in/./a", "/in/a"},
	} {
		mu.Lock()
		reached = nil
		mu.Unlock()
		resp, body := c.do("POST", tc.target, nil, "Sec-Fetch-Site", "cross-site")
		mu.Lock()
		got := reached
		mu.Unlock()
		if resp.StatusCode != http.StatusOK || len(got) != 1 || got[0] != tc.routed {
			t.Errorf("cross-site POST %s to the exempt route %s: %d %q, handler reached %q; want 200 at %s",
				tc.target, tc.routed, resp.StatusCode, body, got, tc.routed)
		}
	}
}
