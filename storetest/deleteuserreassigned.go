package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// testDeleteUserSessionsSparesReassigned checks that DeleteUserSessions
// deletes a session only while it is the user's: a session that a commit
// racing the deletion gives to another user (a login as someone else on that
// device) either is deleted before the commit, which then finds it gone, or
// survives as the other user's. A store that deletes what its listing found
// without checking the record again logs the other user out.
func testDeleteUserSessionsSparesReassigned(t *testing.T, h Harness) {
	s, ux := newUserIndex(t, h)
	const n = 100
	// Rounds until enough have run or a second has passed: a slow store
	// races fewer of them.
	deadline := time.Now().Add(time.Second)
	for round := 0; round < 30 && (round < 2 || time.Now().Before(deadline)); round++ {
		u := newUser(t)
		v := newUser(t)
		keys := userSessionsOf(t, s, u, n)
		moved := make([]bool, n)
		deleted, deleteErr := raceDeleteUser(t, ux, u, "", keys, func(i int) {
			meta := sessions.Meta{User: v}
			err := s.Commit(ctx(t), keys[i], &sessions.Delta{Meta: &meta, MetaFields: sessions.MetaUser})
			switch {
			case err == nil:
				moved[i] = true
			case !errors.Is(err, sessions.ErrNotFound):
				t.Errorf("Commit: %v", err)
			}
		})
		if deleteErr != nil {
			t.Fatalf("DeleteUserSessions: %v", deleteErr)
		}
		gone := 0
		for i, key := range keys {
			rec, found, err := s.Load(ctx(t), key)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			switch {
			case moved[i] && !found:
				t.Fatalf("round %d: the session %s… was given to another user by a commit that succeeded, then deleted by DeleteUserSessions of its former user", round, key[:8])
			case moved[i] && rec.User != v:
				t.Fatalf("round %d: session %s… is %q's after a commit gave it to %q", round, key[:8], rec.User, v)
			case !moved[i] && found:
				t.Fatalf("round %d: session %s… of the user survived DeleteUserSessions, and no commit moved it", round, key[:8])
			case !found:
				gone++
			}
		}
		if deleted != gone {
			t.Fatalf("round %d: DeleteUserSessions reported %d deleted, %d sessions are gone", round, deleted, gone)
		}
	}
}
