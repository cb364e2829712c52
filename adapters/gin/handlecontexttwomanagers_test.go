package sessiongin_test

import (
	"net/http"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/sessionkit/sessions"
	sessiongin "github.com/sessionkit/sessions/adapters/gin"
)

// TestHandleContextTwoManagers checks c.HandleContext under the
// middleware of two managers: the re-run passes through both, and each
// routes c.Writer through its own session again, so the re-run handler's
// body, written first, carries both sessions' cookies, and both values
// are stored.
func TestHandleContextTwoManagers(t *testing.T) {
	site, _ := newManager(t, sessions.Options{})
	admin, _ := newManager(t, sessions.Options{CookieName: "__Host-admin"})
	e := gin.New()
	e.Use(sessiongin.Middleware(site), sessiongin.Middleware(admin))
	e.GET("/outer", func(c *gin.Context) {
		c.Request.URL.Path = "/inner"
		e.HandleContext(c)
	})
	e.GET("/inner", func(c *gin.Context) {
		sessiongin.Session(site, c).Set("k", "site")
		sessiongin.Session(admin, c).Set("k", "admin")
		c.String(http.StatusOK, "inner")
	})
	e.GET("/get", func(c *gin.Context) {
		c.String(http.StatusOK, "%v %v", sessiongin.Session(site, c).Get("k"), sessiongin.Session(admin, c).Get("k"))
	})
	srv := serve(t, e)

	resp, body := do(t, srv, "GET", "/outer", request{})
	if resp.StatusCode != http.StatusOK || body != "inner" {
		t.Fatalf("response %d %q, want 200 inner", resp.StatusCode, body)
	}
	for _, m := range []*sessions.Manager{site, admin} {
		if sessionCookie(resp, m) == nil {
			t.Errorf("no %s cookie on the response: Set-Cookie %q", m.CookieName(), resp.Header.Values("Set-Cookie"))
		}
	}
	if t.Failed() {
		return
	}
	rq := request{Header: map[string]string{"Cookie": mustCookie(t, resp, site).String() + "; " + mustCookie(t, resp, admin).String()}}
	if _, body := do(t, srv, "GET", "/get", rq); body != "site admin" {
		t.Errorf("stored values (site, admin) = %q, want \"site admin\"", body)
	}
}
