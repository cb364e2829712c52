package sessions_test

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestCSRFStoredSecretOfWrongLengthRefused checks that a stored CSRF
// secret of another length than the 32 bytes the manager mints (a record
// damaged, or written by something else) verifies no token: a one-byte
// secret's tokens are three characters long, and a forger would guess
// one in 256 tries.
func TestCSRFStoredSecretOfWrongLengthRefused(t *testing.T) {
	m, store := newTestManager(t, sessions.Options{})
	secret := []byte{0x41}
	c := sessionWithCSRFSecret(t, m, store, base64.RawURLEncoding.EncodeToString(secret))
	// The token for secret with a zero pad: pad || pad XOR secret.
	forged := base64.RawURLEncoding.EncodeToString([]byte{0, secret[0]})

	r := httptest.NewRequest(http.MethodPost, "/action", nil)
	r.AddCookie(c)
	r.Header.Set("X-CSRF-Token", forged)
	w := httptest.NewRecorder()
	m.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})).ServeHTTP(w, r)
	if w.Code != http.StatusForbidden {
		t.Errorf("POST with a token for a stored one-byte secret: status %d, want 403", w.Code)
	}
}
