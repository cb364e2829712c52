package sessions_test

import (
	"errors"
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

// TestExemptPatternsConfigError checks that NewManager reports a bad
// CSRF.ExemptPatterns entry as an error wrapping ErrConfig, as it does for
// every other invalid option (a bad TrustedOrigins entry among them),
// instead of panicking.
func TestExemptPatternsConfigError(t *testing.T) {
	for _, tc := range []struct {
		name     string
		patterns []string
	}{
		{"empty", []string{""}},
		{"no path", []string{"POST webhook"}},
		{"bad wildcard", []string{"POST /hooks/{x"}},
		{"listed twice", []string{"POST /webhook", "POST /webhook"}},
		{"same requests, two spellings", []string{"/hooks/{a}", "/hooks/{b}"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Fatalf("NewManager panicked: %v", p)
					}
				}()
				_, err = sessions.NewManager(newMemoryStore(t), sessions.Options{CSRF: sessions.CSRFOptions{ExemptPatterns: tc.patterns}})
			}()
			if !errors.Is(err, sessions.ErrConfig) {
				t.Errorf("NewManager with ExemptPatterns %q: %v, want an error wrapping ErrConfig", tc.patterns, err)
			}
		})
	}
	// Good patterns still work.
	if _, err := sessions.NewManager(newMemoryStore(t), sessions.Options{CSRF: sessions.CSRFOptions{ExemptPatterns: []string{"POST /webhook", "/api/hooks/{id}"}}}); err != nil {
		t.Errorf("valid ExemptPatterns refused: %v", err)
	}
}
