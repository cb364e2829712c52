package sessiongin_test

import (
	"net/http"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/sessionkit/sessions"
	sessiongin "github.com/sessionkit/sessions/adapters/gin"
)

// TestCSRFExemptPatternNotRoutedElsewhere checks that a cross-site POST
// without a token whose path matches a CSRF exempt pattern only in its raw
// form (an escaped slash, an escaped dot segment) cannot reach a protected
// route that gin, under its default settings or with RemoveExtraSlash,
// routes that path to; the exempt routes themselves stay exempt for their
// plain paths.
func TestCSRFExemptPatternNotRoutedElsewhere(t *testing.T) {
	m, _ := newManager(t, sessions.Options{CSRF: sessions.CSRFOptions{
		ExemptPatterns: []string{"POST /hooks/{name}", "POST /in/"},
	}})
	exempt := map[string]bool{"/hooks/:name": true, "/in/*rest": true}
	for _, cfg := range []struct {
		name string
		set  func(*gin.Engine)
	}{
		{"default", func(*gin.Engine) {}},
		{"RemoveExtraSlash", func(e *gin.Engine) { e.RemoveExtraSlash = true }},
		{"UseRawPath", func(e *gin.Engine) { e.UseRawPath, e.UnescapePathValues = true, true }},
		{"UseEscapedPath", func(e *gin.Engine) { e.UseEscapedPath = true }},
	} {
		t.Run(cfg.name, func(t *testing.T) {
			e := gin.New()
			cfg.set(e)
			e.Use(sessiongin.Middleware(m))
			var mu sync.Mutex
			var reached []string
			h := func(c *gin.Context) {
				mu.Lock()
				reached = append(reached, c.FullPath())
				mu.Unlock()
			}
			for _, p := range []string{"/hooks/:name", "/hooks/:name/rotate", "/admin", "/in/*rest"} {
				e.POST(p, h)
			}
			srv := serve(t, e)
			for _, tc := range []struct {
				target string
				want   int // 0: any status, as long as no protected route runs
			}{
				{"/hooks/deploy", http.StatusOK},
				{"/in/a/b", http.StatusOK},
				{"/hooks/..%2Fadmin", 0},
				{"/hooks/..%2fadmin", 0},
				{"/hooks/x%2F..%2F..%2Fadmin", 0},
				{"/hooks/a%2Frotate", 0},
				{"/hooks/a%2Fb", 0},
				{"/in/..%2F..%2Fadmin", 0},
				{"/in/%2e%2e/admin", 0},
				{"//admin", 0},
				{"/hooks/x/../../admin", 0},
			} {
				mu.Lock()
				reached = nil
				mu.Unlock()
				resp, body := do(t, srv, "POST", tc.target, request{Header: map[string]string{"Sec-Fetch-Site": "cross-site"}})
				mu.Lock()
				got := reached
				mu.Unlock()
				if tc.want != 0 && resp.StatusCode != tc.want {
					t.Errorf("cross-site POST %s: %d %q, want %d", tc.target, resp.StatusCode, body, tc.want)
				}
				for _, r := range got {
					if !exempt[r] {
						t.Errorf("cross-site POST %s without a token: %d, reached the protected route %s", tc.target, resp.StatusCode, r)
					}
				}
			}
		})
	}
}

// TestCSRFAmbiguousPathWithToken checks that a request whose path has an
// escaped slash, no longer exempt, passes with the session's CSRF token and
// reaches its route with its own URL, not the one the CSRF check saw.
func TestCSRFAmbiguousPathWithToken(t *testing.T) {
	m, _ := newManager(t, sessions.Options{CSRF: sessions.CSRFOptions{
		ExemptPatterns: []string{"POST /hooks/{name}"},
	}})
	e := newEngine(m)
	e.UseRawPath, e.UnescapePathValues = true, true
	e.POST("/hooks/:name", func(c *gin.Context) {
		c.String(http.StatusOK, "%s %s %s", c.Param("name"), c.Request.URL.Path, c.Request.URL.RawPath)
	})
	srv := serve(t, e)
	resp, token := do(t, srv, "GET", "/token", request{})
	cookie := mustCookie(t, resp, m)
	resp, body := do(t, srv, "POST", "/hooks/a%2Fb", request{Cookie: cookie, Header: map[string]string{"X-CSRF-Token": token}})
	if want := "a/b /hooks/a/b /hooks/a%2Fb"; resp.StatusCode != http.StatusOK || body != want {
		t.Errorf("POST /hooks/a%%2Fb with the token: %d %q, want 200 %q", resp.StatusCode, body, want)
	}
}
