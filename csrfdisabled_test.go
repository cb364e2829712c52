package sessions_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestCSRFDisabled checks that CSRFOptions.Disable turns both layers off:
// unsafe requests reach the handler without a token, cross-site ones
// among them, and their bodies are left unread for it.
func TestCSRFDisabled(t *testing.T) {
	m, _ := newTestManager(t, sessions.Options{CSRF: sessions.CSRFOptions{Disable: true}})
	id := seedSession(t, m)
	for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		t.Run(method, func(t *testing.T) {
			called := false
			h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				called = true
				m.Start(w, r).Set("last", method)
			}))
			body := &readSpy{Reader: strings.NewReader("csrf_token=x&a=b")}
			r := httptest.NewRequest(method, "/api", body)
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.Header.Set("Sec-Fetch-Site", "cross-site")
			r.AddCookie(&http.Cookie{Name: m.CookieName(), Value: id})
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != http.StatusOK || !called {
				t.Fatalf("cross-site %s without a token, CSRF disabled: status %d, handler called %v; want 200 and a call", method, w.Code, called)
			}
			if body.read {
				t.Error("the body was read for a check that is disabled")
			}
		})
	}
}
