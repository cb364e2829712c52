package postgres

import (
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/storetest"
)

// TestCountLiveSessions checks that Count counts the live sessions and
// nothing else: not a rename's grace alias (a row of the aliases table,
// though Load reaches a session through it), not an expired row the
// cleaner has not removed yet, not a row of an unknown format version
// (which Load refuses as corrupt), not a deleted session, and not the rows
// of another store's table in the same database.
func TestCountLiveSessions(t *testing.T) {
	ctx := t.Context()
	s := newTestStore(t, Options{CleanupInterval: -1})
	other := newTestStore(t, Options{CleanupInterval: -1})
	if err := other.Create(ctx, storetest.NewKey(t), storetest.NewRecord(time.Hour)); err != nil {
		t.Fatal(err)
	}
	count := func(want int, after string) {
		t.Helper()
		n, err := s.Count(ctx)
		if err != nil || n != want {
			t.Fatalf("after %s: Count = %d, %v; want %d, nil", after, n, err, want)
		}
	}
	count(0, "nothing")

	var keys []string
	for i := range 4 {
		key := storetest.NewKey(t)
		rec := storetest.NewRecord(time.Hour, "n", i)
		if i%2 == 0 {
			rec.User = "alice"
		}
		if err := s.Create(ctx, key, rec); err != nil {
			t.Fatal(err)
		}
		keys = append(keys, key)
	}
	count(4, "creating 4")

	// Two renames with a grace: both old keys still reach their sessions.
	for i := range 2 {
		renamed := storetest.NewKey(t)
		if err := s.Rename(ctx, keys[i], renamed, time.Minute); err != nil {
			t.Fatal(err)
		}
		if _, found, err := s.Load(ctx, keys[i]); !found || err != nil {
			t.Fatalf("Load through the grace alias = %v, %v", found, err)
		}
		keys[i] = renamed
	}
	count(4, "2 renames with grace")

	// Expired, but kept: no cleaner runs.
	if err := s.Create(ctx, storetest.NewKey(t), storetest.NewRecord(-time.Minute, "n", 9)); err != nil {
		t.Fatal(err)
	}
	if rowCount(t, s, s.table) != 5 {
		t.Fatalf("the expired row is not kept; the test needs it")
	}
	count(4, "an expired session")

	// A row of an unknown format version: Load refuses it.
	corrupt := storetest.NewKey(t)
	if err := s.Create(ctx, corrupt, storetest.NewRecord(time.Hour)); err != nil {
		t.Fatal(err)
	}
	exec(t, s, `UPDATE {s} SET version = 2 WHERE key = $1`, corrupt)
	count(4, "a row of version 2")

	if err := s.Delete(ctx, keys[3]); err != nil {
		t.Fatal(err)
	}
	count(3, "a delete")

	s.Close()
	if _, err := s.Count(ctx); err == nil {
		t.Errorf("Count after Close = nil error, want one wrapping %v", sessions.ErrStoreUnavailable)
	}
}
