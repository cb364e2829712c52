package sessions_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestCSRFTokenReplacesUnusableSecret checks that CSRFToken on a session
// whose stored CSRF secret is not one the manager mints (a record damaged,
// or written by something else: too short, or not base64url) stores a
// fresh secret and returns a token for it, so the session's forms work
// again at once instead of failing every CSRF check until it is renewed.
func TestCSRFTokenReplacesUnusableSecret(t *testing.T) {
	for _, tc := range []struct{ name, stored string }{
		{"one byte", "QQ"},
		{"not base64url", "not a secret!"},
		{"one byte short", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, store := newTestManager(t, sessions.Options{})
			c := sessionWithCSRFSecret(t, m, store, tc.stored)
			var token string
			do(t, m, c.Value, func(s *sessions.Session) { token = s.CSRFToken() })
			if token == "" {
				t.Fatal("CSRFToken = \"\"")
			}
			r := httptest.NewRequest(http.MethodPost, "/action", nil)
			r.AddCookie(c)
			r.Header.Set("X-CSRF-Token", token)
			w := httptest.NewRecorder()
			called := false
			m.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { called = true })).ServeHTTP(w, r)
			if w.Code != http.StatusOK || !called {
				t.Errorf("POST with the token CSRFToken gave for a session holding the secret %q: status %d, handler called %v; want 200 and a call", tc.stored, w.Code, called)
			}
		})
	}
}

// sessionWithCSRFSecret stores a new session whose record holds stored as
// its CSRF secret, as a damaged or foreign record would, and returns its
// cookie.
func sessionWithCSRFSecret(t *testing.T, m *sessions.Manager, store sessions.Store, stored string) *http.Cookie {
	t.Helper()
	c := sessionCookieIn(do(t, m, "", func(s *sessions.Session) { s.Set("name", "kataras") }), m)
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
	meta := rec.Meta
	meta.CSRF = stored
	if err := store.Commit(ctx, key, &sessions.Delta{Meta: &meta, MetaFields: sessions.MetaCSRF}); err != nil {
		t.Fatal(err)
	}
	return c
}
