package sessions_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// loginAs logs a fresh client in as user and returns its session ID.
func loginAs(t *testing.T, m *sessions.Manager, user string) string {
	t.Helper()
	res := do(t, m, "", func(s *sessions.Session) {
		if err := s.Login(user); err != nil {
			t.Fatal(err)
		}
	})
	for _, c := range res.Cookies() {
		if c.Name == m.CookieName() && c.Value != "" {
			return c.Value
		}
	}
	t.Fatal("login issued no cookie")
	return ""
}

// TestLoginAfterDestroyDoesNotCountDestroyedSession checks that a session
// destroyed earlier in the request does not count against MaxPerUser when
// the same request logs in again (a "log out, then log in" or account
// switch handler): the destroyed session is gone at commit, so it must not
// make Login evict the user's other sessions or refuse with
// ErrTooManySessions.
func TestLoginAfterDestroyDoesNotCountDestroyedSession(t *testing.T) {
	t.Run("EvictOldest keeps the other device", func(t *testing.T) {
		m, _, now := newClockedManager(t, sessions.Options{MaxPerUser: 2})
		other := loginAs(t, m, "alice") // another device
		now.Add(int64(time.Second))
		this := loginAs(t, m, "alice")
		now.Add(int64(time.Second))
		do(t, m, this, func(s *sessions.Session) {
			s.Destroy()
			if err := s.Login("alice"); err != nil {
				t.Fatalf("Login after Destroy: %v", err)
			}
		})
		list, err := m.UserSessions(context.Background(), "alice")
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 {
			t.Errorf("alice has %d sessions, want 2 (the other device and the new login)", len(list))
		}
		found := false
		for _, in := range list {
			found = found || in.Key == sessions.KeyOf(other)
		}
		if !found {
			t.Error("the other device's session was evicted to make room for a session this request had already destroyed")
		}
	})
	t.Run("LimitReject allows the login", func(t *testing.T) {
		m, _, now := newClockedManager(t, sessions.Options{MaxPerUser: 1, LimitPolicy: sessions.LimitReject})
		this := loginAs(t, m, "alice")
		now.Add(int64(time.Second))
		var loginErr error
		res := do(t, m, this, func(s *sessions.Session) {
			s.Destroy()
			loginErr = s.Login("alice")
		})
		if errors.Is(loginErr, sessions.ErrTooManySessions) {
			t.Fatalf("Login after Destroy of the user's only session: %v", loginErr)
		}
		if loginErr != nil {
			t.Fatal(loginErr)
		}
		issued := false
		for _, c := range res.Cookies() {
			issued = issued || (c.Name == m.CookieName() && c.Value != "" && c.MaxAge >= 0)
		}
		if !issued {
			t.Error("no new session cookie")
		}
	})
}
