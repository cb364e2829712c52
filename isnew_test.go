package sessions_test

import (
	"testing"

	"github.com/sessionkit/sessions"
)

// TestIsNew checks that IsNew answers for the request as it arrived:
// whether it carried a live session. Saving a new session, renewing or
// destroying a stored one later in the request does not change it.
func TestIsNew(t *testing.T) {
	m, _ := newTestManager(t, sessions.Options{})
	const stored = "stored" // a cookie naming a session seeded for the case
	for _, tc := range []struct {
		name string
		id   string // the cookie the request carries
		act  func(s *sessions.Session)
		want bool
	}{
		{"no cookie", "", nil, true},
		{"no cookie, then saved", "", func(s *sessions.Session) {
			s.Set("k", 1)
			if err := s.Save(); err != nil {
				t.Error(err)
			}
		}, true},
		{"unknown ID", "nJ7hrr1qZ0iZ0w2hk8s0Q6n7H8o4N0nUaKJk3hKp3xQ", nil, true},
		{"stored", stored, nil, false},
		{"stored, then renewed", stored, func(s *sessions.Session) { s.Renew() }, false},
		{"stored, then destroyed", stored, func(s *sessions.Session) { s.Destroy() }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := tc.id
			if id == stored {
				id = seedSession(t, m)
			}
			do(t, m, id, func(s *sessions.Session) {
				before := s.IsNew()
				if tc.act != nil {
					tc.act(s)
				}
				if after := s.IsNew(); before != tc.want || after != tc.want {
					t.Errorf("IsNew = %v before and %v after, want %v", before, after, tc.want)
				}
			})
		})
	}
}
