package postgres

import (
	"errors"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/storetest"
)

// TestCountLiveSessions checks what storetest's Count does not: Count
// counts neither an expired row the cleaner has not removed yet, nor a row
// of an unknown format version (which Load refuses as corrupt), nor the
// rows of another store's table in the same database, and fails after
// Close.
func TestCountLiveSessions(t *testing.T) {
	ctx := t.Context()
	s := newTestStore(t, Options{CleanupInterval: -1})
	other := newTestStore(t, Options{CleanupInterval: -1})
	if err := other.Create(ctx, storetest.NewKey(t), storetest.NewRecord(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.Create(ctx, storetest.NewKey(t), storetest.NewRecord(time.Hour)); err != nil {
		t.Fatal(err)
	}
	// Expired, but kept: no cleaner runs.
	if err := s.Create(ctx, storetest.NewKey(t), storetest.NewRecord(-time.Minute, "n", 9)); err != nil {
		t.Fatal(err)
	}
	// A row of an unknown format version: Load refuses it.
	corrupt := storetest.NewKey(t)
	if err := s.Create(ctx, corrupt, storetest.NewRecord(time.Hour)); err != nil {
		t.Fatal(err)
	}
	exec(t, s, `UPDATE {s} SET version = 2 WHERE key = $1`, corrupt)
	if rowCount(t, s, s.table) != 3 {
		t.Fatalf("the expired row is not kept; the test needs it")
	}
	if n, err := s.Count(ctx); err != nil || n != 1 {
		t.Fatalf("Count = %d, %v; want 1 (not the other table's, the expired or the version 2 row), nil", n, err)
	}

	s.Close()
	if _, err := s.Count(ctx); err == nil {
		t.Errorf("Count after Close = nil error, want one wrapping %v", sessions.ErrStoreUnavailable)
	}
}

// TestCountIncludesDamagedValues checks the limit Count documents: it does
// not read values, so a live row whose value does not decode is counted,
// although Load refuses it as corrupt.
func TestCountIncludesDamagedValues(t *testing.T) {
	ctx := t.Context()
	s := newTestStore(t, Options{CleanupInterval: -1})
	damaged := storetest.NewKey(t)
	if err := s.Create(ctx, damaged, storetest.NewRecord(time.Hour, "role", "admin")); err != nil {
		t.Fatal(err)
	}
	exec(t, s, `UPDATE {v} SET value = '\x00ff'::bytea WHERE key = $1`, damaged)
	if _, _, err := s.Load(ctx, damaged); !errors.Is(err, sessions.ErrCorrupt) {
		t.Fatalf("Load of the damaged row: %v, want an error wrapping %v", err, sessions.ErrCorrupt)
	}
	if n, err := s.Count(ctx); err != nil || n != 1 {
		t.Fatalf("Count = %d, %v; want 1 (the damaged row, whose values Count does not read), nil", n, err)
	}
}
