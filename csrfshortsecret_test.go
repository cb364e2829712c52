package sessions_test

import (
	"context"
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
	c := sessionCookieIn(do(t, m, "", func(s *sessions.Session) { s.CSRFToken() }), m)
	if c == nil {
		t.Fatal("no session cookie")
	}
	var key string
	do(t, m, c.Value, func(s *sessions.Session) { key = s.ID() })
	ctx := context.Background()
	rec, found, err := store.Load(ctx, key)
	if err != nil || !found {
		t.Fatalf("Load of the stored session: found %v, %v", found, err)
	}
	secret := []byte{0x41}
	meta := rec.Meta
	meta.CSRF = base64.RawURLEncoding.EncodeToString(secret)
	if err := store.Commit(ctx, key, &sessions.Delta{Meta: &meta, MetaFields: sessions.MetaCSRF}); err != nil {
		t.Fatal(err)
	}
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
