package sessions_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestValueCommitKeepsParallelMetadata checks that a commit that only
// changes values writes no metadata: a CSRF secret a parallel request
// minted after this one loaded the session survives this one's commit,
// and so does the token the parallel request handed out.
func TestValueCommitKeepsParallelMetadata(t *testing.T) {
	for _, tc := range []struct {
		name  string
		write func(s *sessions.Session)
	}{
		{"Set", func(s *sessions.Session) { s.Set("cart", 2) }},
		{"Delete", func(s *sessions.Session) { s.Delete("cart") }},
		{"Clear", func(s *sessions.Session) { s.Clear() }},
		{"AddFlash", func(s *sessions.Session) { s.AddFlash("saved") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, _ := newTestManager(t, sessions.Options{})
			var h http.Handler
			var cookie *http.Cookie
			var token string
			h = m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				s := m.Start(w, r)
				switch r.URL.Path {
				case "/new":
					s.Set("cart", 1)
				case "/mint":
					w.Write([]byte(s.CSRFToken()))
				case "/write":
					s.Get("cart") // loaded without a CSRF secret
					token = serveCookie(h, "/mint", cookie).Body.String()
					tc.write(s)
				}
			}))
			res := serveCookie(h, "/new", nil).Result()
			if len(res.Cookies()) != 1 {
				t.Fatalf("/new set %d cookies, want 1", len(res.Cookies()))
			}
			cookie = res.Cookies()[0]
			serveCookie(h, "/write", cookie)
			if token == "" {
				t.Fatal("the parallel request got no CSRF token")
			}
			req := httptest.NewRequest(http.MethodPost, "https://example.com/post", nil)
			req.AddCookie(cookie)
			req.Header.Set("X-CSRF-Token", token)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != http.StatusOK {
				t.Errorf("POST with the token minted in parallel with a %s: status %d %q, want 200 (the commit wrote back the metadata it loaded)", tc.name, w.Code, w.Body.String())
			}
		})
	}
}
