package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// testDeleteUserSessionsKeepsExcepted checks that DeleteUserSessions spares
// the session under exceptKey (the caller's own, when a user logs out their
// other devices) while the user's other sessions change under it: renames
// (other devices rotating their IDs) and commits giving sessions to another
// user may make a store list the user's sessions more than once, and the
// excepted session must be spared by every listing.
func testDeleteUserSessionsKeepsExcepted(t *testing.T, h Harness) {
	s, ux := newUserIndex(t, h)
	const n = 50
	// Rounds until enough have run or a second has passed: a slow store
	// races fewer of them.
	deadline := time.Now().Add(time.Second)
	for round := 0; round < 30 && (round < 4 || time.Now().Before(deadline)); round++ {
		u := newUser(t)
		v := newUser(t)
		except := NewKey(t)
		rec := NewRecord(time.Hour, "own", true)
		rec.User = u
		mustCreate(t, s, except, rec)
		keys := userSessionsOf(t, s, u, n)
		rename := round%2 == 0
		deleted, deleteErr := raceDeleteUser(t, ux, u, except, keys, func(i int) {
			var err error
			if rename {
				err = s.Rename(ctx(t), keys[i], NewKey(t), 0)
			} else {
				meta := sessions.Meta{User: v}
				err = s.Commit(ctx(t), keys[i], &sessions.Delta{Meta: &meta, MetaFields: sessions.MetaUser})
			}
			if err != nil && !errors.Is(err, sessions.ErrNotFound) {
				t.Errorf("round %d: %v", round, err)
			}
		})
		if deleteErr != nil {
			t.Fatalf("round %d: DeleteUserSessions: %v", round, deleteErr)
		}
		what := "commits giving the others to another user"
		if rename {
			what = "renames of the others"
		}
		got, found, err := s.Load(ctx(t), except)
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		if !found || got.User != u || values(got)["own"] != true {
			t.Fatalf("round %d: the excepted session after DeleteUserSessions raced by %s: found %v (%+v), want it kept as it was", round, what, found, got)
		}
		if deleted > n {
			t.Fatalf("round %d: DeleteUserSessions reported %d deleted, more than the %d sessions it could delete", round, deleted, n)
		}
	}
}
