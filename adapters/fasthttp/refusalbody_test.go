package sessionfasthttp_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/sessionkit/sessions"
	sessionfasthttp "github.com/sessionkit/sessions/adapters/fasthttp"
	"github.com/valyala/fasthttp"
)

// TestCSRFRefusalReplacesOuterBody checks that a CSRF refusal, answered
// before the handler runs, replaces a body middleware outside Middleware
// had already put in ctx.Response (a default page, say): the client gets
// the failure handler's answer alone, while the outer middleware's
// headers stay, as the core keeps those of its ResponseWriter.
func TestCSRFRefusalReplacesOuterBody(t *testing.T) {
	m, _ := newManager(t, sessions.Options{})
	mw := sessionfasthttp.Middleware(m)(func(ctx *fasthttp.RequestCtx) { ctx.WriteString("handler") })
	base, _ := serve(t, func(ctx *fasthttp.RequestCtx) {
		ctx.Response.Header.Set("X-Outer", "1")
		ctx.SetBodyString("default page")
		mw(ctx)
	})
	resp, body := newClient(t, base, m, nil).do("POST", "/", nil, "Sec-Fetch-Site", "cross-site")
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("status %d %q, want 403", resp.StatusCode, body)
	}
	if strings.Contains(body, "default page") || strings.Contains(body, "handler") {
		t.Errorf("body %q, want the failure handler's answer alone", body)
	}
	if resp.Header.Get("X-Outer") != "1" {
		t.Errorf("the outer middleware's header was dropped: %v", resp.Header)
	}
}
