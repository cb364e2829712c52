package sessions_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestCSRFFailureHandlerSessionStored checks that what a
// CSRFOptions.FailureHandler does with the session is stored and its
// cookie sent, as for any handler under Handler. The common failure page
// renders the form again with a fresh token (the client's session expired,
// or it never had one): that token's secret must be stored and the cookie
// naming it sent, or the form's next submission is refused again, and the
// client can never get through.
func TestCSRFFailureHandlerSessionStored(t *testing.T) {
	var m *sessions.Manager
	m, _ = newTestManager(t, sessions.Options{CSRF: sessions.CSRFOptions{
		FailureHandler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			token := m.FromContext(r.Context()).CSRFToken()
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, token)
		}),
	}})
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "accepted")
	}))

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/form", nil))
	if rec.Code != http.StatusForbidden || rec.Body.Len() == 0 {
		t.Fatalf("first POST: %d %q, want 403 with a fresh token", rec.Code, rec.Body.String())
	}
	token := rec.Body.String()
	cookies := rec.Result().Cookies()
	if len(cookies) == 0 {
		t.Fatalf("the failure page rendered a token but set no session cookie: its secret was not stored")
	}

	rec = httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/form", nil)
	req.Header.Set("X-CSRF-Token", token)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || rec.Body.String() != "accepted" {
		t.Errorf("resubmission with the failure page's token: %d %q, want 200 accepted", rec.Code, rec.Body.String())
	}
}

// TestCSRFDefaultRefusalStoresNothing checks that the default refusal,
// which does not use the session, stores nothing and sets no cookie: the
// failure handler's commit writes only what it changed.
func TestCSRFDefaultRefusalStoresNothing(t *testing.T) {
	m, store := newTestManager(t, sessions.Options{})
	id := seedSession(t, m)
	creates, commits := store.creates.Load(), store.commits.Load()
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("the handler ran for a request without a CSRF token")
	}))
	for _, cookie := range []string{"", id} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/form", nil)
		if cookie != "" {
			req.AddCookie(&http.Cookie{Name: m.CookieName(), Value: cookie})
		}
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusForbidden {
			t.Errorf("POST without a token (cookie %t): %d, want 403", cookie != "", rec.Code)
		}
		if sc := rec.Header().Values("Set-Cookie"); len(sc) != 0 {
			t.Errorf("refusal (cookie %t) set cookies: %q", cookie != "", sc)
		}
	}
	if c, w := store.creates.Load()-creates, store.commits.Load()-commits; c != 0 || w != 0 {
		t.Errorf("refusals made %d creates and %d commits, want none", c, w)
	}
}
