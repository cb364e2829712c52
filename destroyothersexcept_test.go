package sessions_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestDestroyUserSessionsExceptNotAHandle: "log out my other devices"
// passes the current session's handle (Session.ID) as except. Passed
// something else by mistake (the cookie's raw value, which is the secret
// ID, not its handle), the call spared nothing and ended the caller's own
// session with the others. It now refuses such an except, destroys
// nothing, and does not echo the value, which may be a secret, in its
// error.
func TestDestroyUserSessionsExceptNotAHandle(t *testing.T) {
	m, err := sessions.NewManager(newMemoryStore(t), sessions.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var cookies []*http.Cookie
	for range 2 {
		rec := do(t, m, "", func(s *sessions.Session) {
			if err := s.Login("alice"); err != nil {
				t.Fatal(err)
			}
		})
		cookies = append(cookies, rec.Cookies()...)
	}
	raw := cookies[len(cookies)-1].Value
	handle := sessions.KeyOf(raw) // what Session.ID returns for it
	if raw == "" {
		t.Fatal("no session cookie")
	}
	ctx := context.Background()
	for _, except := range []string{raw, "not-a-handle", strings.ToUpper(handle)} {
		n, err := m.DestroyUserSessions(ctx, "alice", except)
		if err == nil {
			t.Fatalf("DestroyUserSessions(alice, %.8s…) = %d, nil; want an error saying except is not a handle", except, n)
		}
		if n != 0 {
			t.Errorf("DestroyUserSessions with a bad except destroyed %d sessions, want 0", n)
		}
		if len(except) > 8 && strings.Contains(err.Error(), except) {
			t.Errorf("the error quotes the except value, which may be a secret session ID: %v", err)
		}
	}
	list, err := m.UserSessions(ctx, "alice")
	if err != nil || len(list) != 2 {
		t.Fatalf("alice's sessions after the refused calls: %d, %v; want both", len(list), err)
	}
	if n, err := m.DestroyUserSessions(ctx, "alice", handle); err != nil || n != 1 {
		t.Fatalf("DestroyUserSessions(alice, the handle) = %d, %v; want 1, nil", n, err)
	}
}
