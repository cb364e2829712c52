package sessions_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestCSRFFailureHandlerWritingNothingCommits checks that what a
// CSRFOptions.FailureHandler does with the session is stored when it
// writes nothing, as for a handler under Handler that writes nothing: the
// commit runs when it returns, and the response carries the cookie.
func TestCSRFFailureHandlerWritingNothingCommits(t *testing.T) {
	var m *sessions.Manager
	m, store := newTestManager(t, sessions.Options{CSRF: sessions.CSRFOptions{
		FailureHandler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			m.FromContext(r.Context()).Set("csrf_failed", true)
		}),
	}})
	h := m.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		t.Error("the handler ran for a request without a CSRF token")
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/form", nil))
	c := sessionCookieIn(rec.Result(), m)
	if c == nil || store.creates.Load() != 1 {
		t.Fatalf("the failure handler's session: %d creates, cookie sent %t; want it stored and its cookie sent", store.creates.Load(), c != nil)
	}
	var got any
	do(t, m, c.Value, func(s *sessions.Session) { got = s.Get("csrf_failed") })
	if got != true {
		t.Errorf("the stored session's csrf_failed = %v, want true", got)
	}
}
