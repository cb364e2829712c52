package sessions_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
)

// TestCSRFTokenEmptyWhenLoadFails checks that CSRFToken returns "" when
// the session cannot be loaded (the store is down), under Handler as
// outside it: the session's secret is unknown, and a token of a secret
// minted in its place would never verify, the session it belongs to being
// out of reach.
func TestCSRFTokenEmptyWhenLoadFails(t *testing.T) {
	for _, tc := range []struct {
		name    string
		handler bool
	}{
		{"under Handler", true},
		{"outside Handler", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mem := memory.New(memory.Options{})
			t.Cleanup(func() { mem.Close() })
			store := &failingStore{Store: mem, fail: map[string]bool{}}
			m, err := sessions.NewManager(store, sessions.Options{})
			if err != nil {
				t.Fatal(err)
			}
			id := seedSession(t, m)
			store.fail["load"] = true
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.AddCookie(&http.Cookie{Name: m.CookieName(), Value: id})
			token := "unset"
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				token = m.Start(w, r).CSRFToken()
			})
			if tc.handler {
				m.Handler(h).ServeHTTP(httptest.NewRecorder(), r)
			} else {
				h.ServeHTTP(httptest.NewRecorder(), r)
			}
			if token != "" {
				t.Errorf("CSRFToken with the store down = %q, want \"\"", token)
			}
		})
	}
}
