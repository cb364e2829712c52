package postgres

import (
	"testing"
	"time"

	"github.com/sessionkit/sessions/storetest"
)

// keyWithPrefix returns a fresh store key starting with prefix, so that a
// test can choose the order of keys.
func keyWithPrefix(t *testing.T, prefix string) string {
	t.Helper()
	return prefix + storetest.NewKey(t)[len(prefix):]
}

// Two revocations of one user ("log out everywhere" sent twice) that run
// while one of the user's sessions is rotated to a key that sorts first
// both succeed: they do not deadlock although they see the rotated session
// under different keys, and together delete every session once.
func TestConcurrentDeleteUserSessionsAcrossRename(t *testing.T) {
	s := newTestStore(t, Options{CleanupInterval: -1})
	ctx := t.Context()
	// k1 < k5 < kx; the rotation moves kx to k0, before k1.
	k0, k1, k5, kx := keyWithPrefix(t, "0"), keyWithPrefix(t, "1"), keyWithPrefix(t, "5"), keyWithPrefix(t, "f")
	for _, k := range []string{k1, k5, kx} {
		rec := storetest.NewRecord(time.Hour)
		rec.User = "alice"
		mustCreateRec(t, s, k, rec)
	}
	type result struct {
		n   int
		err error
	}
	revoke := func(out chan<- result) {
		n, err := s.DeleteUserSessions(ctx, "alice", "")
		out <- result{n, err}
	}
	// A request in flight holds k5: the first revocation locks k1 and
	// waits for it, before reaching kx.
	tx := hold(t, s, `SELECT 1 FROM {s} WHERE key = $1 FOR UPDATE`, k5)
	first, second := make(chan result, 1), make(chan result, 1)
	go revoke(first)
	waitLockWaiters(t, s, 1)
	// The session under kx is rotated; the second revocation sees it under
	// k0, first in its key order, and starts.
	if err := s.Rename(ctx, kx, k0, 0); err != nil {
		t.Fatal(err)
	}
	go revoke(second)
	waitRevocationWaiters(t, s, 2)
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	r1, r2 := <-first, <-second
	if r1.err != nil || r2.err != nil {
		t.Fatalf("DeleteUserSessions racing each other = %v, %v; want both nil", r1.err, r2.err)
	}
	if n := r1.n + r2.n; n != 3 {
		t.Errorf("the revocations deleted %d + %d sessions, want 3 in all", r1.n, r2.n)
	}
	if list, err := s.UserSessions(ctx, "alice"); err != nil || len(list) != 0 {
		t.Errorf("UserSessions after both revocations = %v, %v; want none", list, err)
	}
}

// waitRevocationWaiters is waitLockWaiters counting also revocations
// waiting for a user's advisory lock (a statement that does not name the
// tables).
func waitRevocationWaiters(t *testing.T, s *Store, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var got int
		if err := s.pool.QueryRow(t.Context(), `
SELECT count(*) FROM pg_stat_activity
WHERE datname = current_database() AND wait_event_type = 'Lock'
	AND (strpos(query, $1) > 0 OR query = $2)`, s.table, s.q.userLock).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d revocations wait for a lock after 10s, want %d", got, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
