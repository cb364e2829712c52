package sessions_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestCSRFCheckedMethods checks which methods the CSRF checks apply to:
// never GET, HEAD, OPTIONS or TRACE, each spelled exactly so, and every
// other method, a lower-case spelling of a safe one among them (HTTP
// methods are case-sensitive: "get" is not GET, and CrossOriginProtection
// does not take it for one either). The requests are cross-site and carry
// no token, so a checked one is refused.
func TestCSRFCheckedMethods(t *testing.T) {
	m, _ := newTestManager(t, sessions.Options{})
	h := m.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	for _, tc := range []struct {
		method  string
		checked bool
	}{
		{http.MethodGet, false},
		{http.MethodHead, false},
		{http.MethodOptions, false},
		{http.MethodTrace, false},
		{http.MethodPost, true},
		{http.MethodDelete, true},
		{"PROPFIND", true},
		{"get", true},
		{"Head", true},
		{"options", true},
		{"trace", true},
	} {
		t.Run(tc.method, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, "/action", nil)
			r.Header.Set("Sec-Fetch-Site", "cross-site")
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			want := http.StatusOK
			if tc.checked {
				want = http.StatusForbidden
			}
			if w.Code != want {
				t.Errorf("cross-site %s without a token: status %d, want %d", tc.method, w.Code, want)
			}
		})
	}
}
