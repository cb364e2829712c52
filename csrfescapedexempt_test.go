package sessions_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestCSRFEscapedPathNeverExempt checks that a path that routers disagree
// on is never exempt from the CSRF checks, though ServeMux matches its
// escaped form under an exempt pattern: an escaped slash in either case
// ("%2F" or "%2f"), and an escaped "." segment as well as "..", since a
// router that routes on the decoded, cleaned path serves "/hooks/%2e" at
// /hooks, another route than "POST /hooks/". Both checks still apply to
// such a path: a cross-site request is refused by the origin check even
// with a valid token.
func TestCSRFEscapedPathNeverExempt(t *testing.T) {
	m, _ := newTestManager(t, sessions.Options{CSRF: sessions.CSRFOptions{ExemptPatterns: []string{"POST /hooks/"}}})
	id, token := sessionAndToken(t, m)
	h := m.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	for _, tc := range []struct {
		name  string
		path  string
		token bool // send the session's cookie and a valid token
		want  int
	}{
		{"plain path in the subtree", "/hooks/github", false, http.StatusOK},
		{"escaped slash, upper case", "/hooks/a%2Fb", false, http.StatusForbidden},
		{"escaped slash, lower case", "/hooks/a%2fb", false, http.StatusForbidden},
		{"escaped dot segment", "/hooks/%2e", false, http.StatusForbidden},
		{"escaped dot segment, then more", "/hooks/%2e/github", false, http.StatusForbidden},
		{"escaped dot-dot segment", "/hooks/%2e%2e/action", false, http.StatusForbidden},
		{"escaped slash, valid token, cross-site", "/hooks/..%2Faction", true, http.StatusForbidden},
		{"escaped dot segment, valid token, cross-site", "/hooks/%2e", true, http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, tc.path, nil)
			r.Header.Set("Sec-Fetch-Site", "cross-site")
			if tc.token {
				r.AddCookie(&http.Cookie{Name: m.CookieName(), Value: id})
				r.Header.Set("X-CSRF-Token", token)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tc.want {
				t.Errorf("cross-site POST %s: status %d, want %d", tc.path, w.Code, tc.want)
			}
		})
	}
}
