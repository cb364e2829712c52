package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/sessionkit/sessions/storetest"
)

// DeleteUserSessions does not lock the session it keeps: a transaction
// holding that row (a request's commit in flight on the current session)
// does not hold up the revocation of the user's other sessions.
func TestDeleteUserSessionsDoesNotWaitForKept(t *testing.T) {
	s := newTestStore(t, Options{CleanupInterval: -1})
	user := "user-" + storetest.NewKey(t)[:8]
	kept, other := storetest.NewKey(t), storetest.NewKey(t)
	for _, k := range []string{kept, other} {
		r := storetest.NewRecord(time.Hour)
		r.User = user
		mustCreateRec(t, s, k, r)
	}
	hold, err := s.pool.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer hold.Rollback(context.Background())
	if _, err := hold.Exec(t.Context(), `SELECT 1 FROM `+quote(s.table)+` WHERE key = $1 FOR UPDATE`, kept); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
	defer cancel()
	n, err := s.DeleteUserSessions(ctx, user, kept)
	if err != nil || n != 1 {
		t.Errorf("DeleteUserSessions while the kept session's row is locked = %d, %v; want 1, nil without waiting for the lock", n, err)
	}
}
