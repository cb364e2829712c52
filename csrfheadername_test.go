package sessions_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestCSRFHeaderName: CSRF.Header must be a header field name (an HTTP
// token). Any other name never arrives: net/http's server answers a request
// carrying it 400 Bad Request ("X CSRF") or reads it as another header
// ("X:CSRF: t" is X with the value "CSRF: t"), and its client refuses to
// send it, so every header-based client would fail the check with a
// correct token. NewManager refuses such a name with an ErrConfig naming
// the option; a valid name, in any case, is accepted and works.
func TestCSRFHeaderName(t *testing.T) {
	for _, tc := range []struct {
		header string
		valid  bool
	}{
		{header: "X-CSRF-Token", valid: true},
		{header: "x-api-csrf", valid: true},
		{header: "X_Token.2", valid: true},
		{header: "X CSRF", valid: false},
		{header: "X-CSRF-Token:", valid: false},
		{header: "X:CSRF", valid: false},
		{header: " X-CSRF-Token", valid: false},
		{header: "X-CSRF-Tok\u00e9n", valid: false},
		{header: "X-CSRF\r\nX-Other", valid: false},
		{header: "(token)", valid: false},
	} {
		t.Run(tc.header, func(t *testing.T) {
			m, err := sessions.NewManager(newMemoryStore(t), sessions.Options{CSRF: sessions.CSRFOptions{Header: tc.header}})
			if !tc.valid {
				if !errors.Is(err, sessions.ErrConfig) || !strings.Contains(err.Error(), "CSRF.Header") {
					t.Fatalf("NewManager with CSRF.Header %q: %v, want an ErrConfig naming CSRF.Header", tc.header, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("NewManager with CSRF.Header %q: %v", tc.header, err)
			}
			var tok, id string
			for _, c := range do(t, m, "", func(s *sessions.Session) { tok = s.CSRFToken() }).Cookies() {
				id = c.Value
			}
			r := httptest.NewRequest(http.MethodPost, "/action", nil)
			r.AddCookie(&http.Cookie{Name: m.CookieName(), Value: id})
			r.Header.Set(tc.header, tok)
			w := httptest.NewRecorder()
			m.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})).ServeHTTP(w, r)
			if w.Code != http.StatusOK {
				t.Errorf("POST with the token in %s: status %d, want 200", tc.header, w.Code)
			}
		})
	}
}
