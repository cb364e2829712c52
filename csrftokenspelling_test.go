package sessions_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestCSRFTokenOnlyAsIssued checks that the csrf_token form field matches
// only when it holds the token exactly as issued. A base64 decoder skips
// CR and LF, so the token with line breaks inserted (which a form field,
// unlike a header, can carry) decodes to the same bytes: it is another
// spelling of the token, and is refused.
func TestCSRFTokenOnlyAsIssued(t *testing.T) {
	m, _ := newTestManager(t, sessions.Options{})
	id, token := sessionAndToken(t, m)
	h := m.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	for _, tc := range []struct {
		name  string
		value string
		want  int
	}{
		{"as issued", token, http.StatusOK},
		{"LF inside", token[:40] + "\n" + token[40:], http.StatusForbidden},
		{"CRLF at the end", token + "\r\n", http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			form := url.Values{"csrf_token": {tc.value}}.Encode()
			r := httptest.NewRequest(http.MethodPost, "/action", strings.NewReader(form))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.AddCookie(&http.Cookie{Name: m.CookieName(), Value: id})
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tc.want {
				t.Errorf("POST with csrf_token %q: status %d, want %d", tc.value, w.Code, tc.want)
			}
		})
	}
}
