package storetest

import (
	"errors"
	"sync"
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
	s := h.New(t)
	ux, ok := s.(sessions.UserIndex)
	if !ok {
		t.Skip("store does not implement sessions.UserIndex")
	}
	const n = 50
	// Rounds until enough have run or a second has passed: a slow store
	// races fewer of them.
	deadline := time.Now().Add(time.Second)
	for round := 0; round < 30 && (round < 4 || time.Now().Before(deadline)); round++ {
		u := "user-" + NewKey(t)[:12]
		v := "user-" + NewKey(t)[:12]
		except := NewKey(t)
		rec := NewRecord(time.Hour, "own", true)
		rec.User = u
		mustCreate(t, s, except, rec)
		keys := make([]string, n)
		for i := range keys {
			keys[i] = NewKey(t)
			rec := NewRecord(time.Hour)
			rec.User = u
			mustCreate(t, s, keys[i], rec)
		}
		rename := round%2 == 0
		var (
			wg        sync.WaitGroup
			start     = make(chan struct{})
			deleted   int
			deleteErr error
		)
		wg.Add(2)
		go func() {
			defer wg.Done()
			<-start
			deleted, deleteErr = ux.DeleteUserSessions(ctx(t), u, except)
		}()
		go func() {
			defer wg.Done()
			<-start
			// From the end of the list, so the changes meet the deletion
			// in the middle whatever order the store deletes in.
			for i := n - 1; i >= 0; i-- {
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
			}
		}()
		close(start)
		wg.Wait()
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
