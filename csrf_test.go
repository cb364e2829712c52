package sessions_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sessionkit/sessions"
)

// readSpy is a request body that records whether anything read it.
type readSpy struct {
	*strings.Reader
	read bool
}

func (b *readSpy) Read(p []byte) (int, error) {
	b.read = true
	return b.Reader.Read(p)
}

// TestCSRFBodyUnreadWithoutSecret checks that an unsafe request on a
// session with no CSRF secret (here a new one) is refused without its form
// body being parsed for a token: no token can match, and an anonymous
// client must not make the server read up to 32 MB of form for nothing.
func TestCSRFBodyUnreadWithoutSecret(t *testing.T) {
	for _, ct := range []string{"application/x-www-form-urlencoded", "multipart/form-data; boundary=x"} {
		t.Run(ct, func(t *testing.T) {
			m, _ := newTestManager(t, sessions.Options{})
			called := false
			h := m.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { called = true }))
			body := &readSpy{Reader: strings.NewReader("csrf_token=x&a=b")}
			r := httptest.NewRequest(http.MethodPost, "/", body)
			r.Header.Set("Content-Type", ct)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != http.StatusForbidden || called {
				t.Fatalf("status %d, handler called %v; want 403 and no call", w.Code, called)
			}
			if body.read {
				t.Error("the body was read to look for a token the session cannot match")
			}
		})
	}
}
