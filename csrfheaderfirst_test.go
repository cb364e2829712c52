package sessions_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestCSRFHeaderTokenTakesPrecedence checks that a token in the CSRF
// header decides the check on its own: the form body is then not parsed
// for the form field, so a form that also carries a stale csrf_token
// field (a page rendered before a login) passes with the header's valid
// token, and the handler reads the body as it was sent.
func TestCSRFHeaderTokenTakesPrecedence(t *testing.T) {
	m, _ := newTestManager(t, sessions.Options{})
	id, token := sessionAndToken(t, m)
	const body = "csrf_token=stale&comment=hi"
	var read string
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		read = string(b)
	}))
	r := httptest.NewRequest(http.MethodPost, "/comment", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("X-CSRF-Token", token)
	r.AddCookie(&http.Cookie{Name: m.CookieName(), Value: id})
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusOK {
		t.Fatalf("POST with a valid header token and a stale form field: status %d, want 200", w.Code)
	}
	if read != body {
		t.Errorf("the handler read the body %q, want %q as sent", read, body)
	}
}
