package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// testRenameGraceOutlivesRecord checks that a grace alias does not outlive
// the record it leads to: when the renamed record expires before the grace
// ends, the old key reaches nothing, for Load, Commit and Increment, just as
// the new key does. A store that checks expiry only for a record under its
// own key serves an expired session through its old ID, and lets writes
// through it keep counting on it.
func testRenameGraceOutlivesRecord(t *testing.T, h Harness) {
	s := h.New(t)
	oldKey, newKey := NewKey(t), NewKey(t)
	mustCreate(t, s, oldKey, NewRecord(1200*time.Millisecond, "a", 1))
	if err := s.Rename(ctx(t), oldKey, newKey, time.Hour); err != nil {
		t.Fatalf("Rename: %v", err)
	}
	if got := values(mustLoad(t, s, oldKey))["a"]; got != 1 {
		t.Fatalf("old key during the grace: a = %v, want 1", got)
	}
	time.Sleep(1500 * time.Millisecond)

	// The grace has an hour to go; the record it leads to has expired.
	mustMiss(t, s, newKey)
	mustMiss(t, s, oldKey)
	d := &sessions.Delta{Set: []sessions.Field{{Key: "late", Value: 1}}}
	if err := s.Commit(ctx(t), oldKey, d); !errors.Is(err, sessions.ErrNotFound) {
		t.Errorf("Commit through a grace alias to an expired record: %v, want ErrNotFound", err)
	}
	if n, err := s.Increment(ctx(t), oldKey, "n", 1); !errors.Is(err, sessions.ErrNotFound) || n != 0 {
		t.Errorf("Increment through a grace alias to an expired record = %d, %v; want 0, ErrNotFound", n, err)
	}
	mustMiss(t, s, oldKey)
	mustMiss(t, s, newKey)
}
