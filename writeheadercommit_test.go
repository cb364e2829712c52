package sessions_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestWriteHeaderCommitsEveryFinalStatus checks that WriteHeader commits
// the session before it writes any final status, so the header that goes
// out with the status carries the session cookie: 200 written explicitly,
// 101 Switching Protocols (final, unlike the other 1xx codes) and 999, the
// highest code net/http writes. The handler sets a header first, as most
// do, so the server snapshots the header at WriteHeader and a commit made
// later could no longer add the cookie.
func TestWriteHeaderCommitsEveryFinalStatus(t *testing.T) {
	for _, tc := range []struct {
		name string
		code int
	}{
		{"200 OK", http.StatusOK},
		{"101 Switching Protocols", http.StatusSwitchingProtocols},
		{"999", 999},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, _ := newTestManager(t, sessions.Options{})
			rec := httptest.NewRecorder()
			m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/plain")
				m.Start(w, r).Set("k", "v")
				w.WriteHeader(tc.code)
			})).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
			res := rec.Result()
			if res.StatusCode != tc.code {
				t.Fatalf("status %d, want %d", res.StatusCode, tc.code)
			}
			if sessionCookieIn(res, m) == nil {
				t.Errorf("the %d response went out without the session cookie: Set-Cookie %q", tc.code, res.Header.Values("Set-Cookie"))
			}
		})
	}
}

// sessionCookieIn returns m's session cookie among the cookies res sets,
// or nil.
func sessionCookieIn(res *http.Response, m *sessions.Manager) *http.Cookie {
	for _, c := range res.Cookies() {
		if c.Name == m.CookieName() {
			return c
		}
	}
	return nil
}
