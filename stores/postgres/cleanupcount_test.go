package postgres

import (
	"testing"
	"time"

	"github.com/sessionkit/sessions/storetest"
)

// Cleanup reports the sessions it deleted, and only those: expired rename
// aliases it deletes beside them are not counted.
func TestCleanupCountsSessionsOnly(t *testing.T) {
	s := newTestStore(t, Options{CleanupInterval: -1})
	ctx := t.Context()
	expired := storetest.NewKey(t)
	mustCreateRec(t, s, expired, storetest.NewRecord(time.Millisecond))
	old, renamed := storetest.NewKey(t), storetest.NewKey(t)
	mustCreateRec(t, s, old, storetest.NewRecord(time.Hour))
	if err := s.Rename(ctx, old, renamed, time.Millisecond); err != nil {
		t.Fatalf("Rename: %v", err)
	}
	time.Sleep(20 * time.Millisecond)
	n, err := s.Cleanup(ctx)
	if err != nil || n != 1 {
		t.Errorf("Cleanup with one expired session and one expired alias = %d, %v; want 1, nil", n, err)
	}
	if rowExists(t, s, expired) || rowExists(t, s, old) {
		t.Error("Cleanup left the expired session or alias")
	}
	if !rowExists(t, s, renamed) {
		t.Error("Cleanup deleted the live session the alias led to")
	}
}
