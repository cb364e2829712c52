package sessions_test

import (
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// TestRequireRecentAuthBoundary checks that RequireRecentAuth(d) holds for
// a login exactly d ago and not a nanosecond later.
func TestRequireRecentAuthBoundary(t *testing.T) {
	const d = 5 * time.Minute
	for _, tc := range []struct {
		since time.Duration
		want  bool
	}{
		{0, true},
		{d, true},
		{d + time.Nanosecond, false},
	} {
		m, _, now := newClockedManager(t, sessions.Options{IdleTimeout: time.Hour, Lifetime: time.Hour})
		var id string
		res := do(t, m, "", func(s *sessions.Session) {
			if err := s.Login("alice"); err != nil {
				t.Fatal(err)
			}
		})
		if cs := res.Cookies(); len(cs) == 1 {
			id = cs[0].Value
		} else {
			t.Fatalf("Login set cookies %v, want one", cs)
		}
		now.Add(int64(tc.since))
		do(t, m, id, func(s *sessions.Session) {
			if got := s.RequireRecentAuth(d); got != tc.want {
				t.Errorf("login %v ago: RequireRecentAuth(%v) = %v, want %v", tc.since, d, got, tc.want)
			}
		})
	}
}
