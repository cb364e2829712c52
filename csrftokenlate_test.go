package sessions_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
)

// TestCSRFTokenAfterResponseStarted asks for a CSRF token once the
// response has started (a template that calls CSRFToken while it renders
// the page), for a session that has no secret yet. CSRFToken's doc says its
// first call stores the secret; where the response can no longer carry the
// change (a new session, whose cookie cannot be sent; the cookie store,
// whose cookie cannot change), the secret is not stored, and a token of it
// could never verify: the form it is embedded in would fail its CSRF check
// with nothing to tell why. So CSRFToken returns either a token that the
// next request, with the cookies the response carried, gets through the
// CSRF check with, or "" as it does when the secret cannot be stored.
func TestCSRFTokenAfterResponseStarted(t *testing.T) {
	cases := []struct {
		name  string
		store func(t *testing.T) sessions.Store
		seed  bool // the request carries a stored session without a secret
	}{
		{"memory store, new session", func(t *testing.T) sessions.Store {
			s := memory.New(memory.Options{})
			t.Cleanup(func() { s.Close() })
			return s
		}, false},
		{"memory store, stored session", func(t *testing.T) sessions.Store {
			s := memory.New(memory.Options{})
			t.Cleanup(func() { s.Close() })
			return s
		}, true},
		{"cookie store, new session", func(t *testing.T) sessions.Store { return newCookieStore(t) }, false},
		{"cookie store, stored session", func(t *testing.T) sessions.Store { return newCookieStore(t) }, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := sessions.NewManager(tc.store(t), sessions.Options{})
			if err != nil {
				t.Fatal(err)
			}
			var token string
			h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				s := m.Start(w, r)
				switch r.URL.Path {
				case "/seed":
					s.Set("name", "alice")
				case "/page":
					io.WriteString(w, "<form>")
					token = s.CSRFToken()
				}
			}))
			var cookies []*http.Cookie
			if tc.seed {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest("GET", "/seed", nil))
				cookies = rec.Result().Cookies()
				if len(cookies) == 0 {
					t.Fatal("/seed stored no session")
				}
			}
			page := httptest.NewRequest("GET", "/page", nil)
			for _, c := range cookies {
				page.AddCookie(c)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, page)
			if token == "" {
				return // no secret could be stored, and CSRFToken says so
			}
			if got := rec.Result().Cookies(); len(got) > 0 {
				cookies = got
			}
			post := httptest.NewRequest("POST", "/submit", nil)
			post.Header.Set("X-CSRF-Token", token)
			for _, c := range cookies {
				post.AddCookie(c)
			}
			rec = httptest.NewRecorder()
			h.ServeHTTP(rec, post)
			if rec.Code == http.StatusForbidden {
				t.Errorf("CSRFToken after the response started returned %q, which the next request fails the CSRF check with (%d %q); want a token that verifies, or \"\"",
					token, rec.Code, rec.Body.String())
			}
		})
	}
}
