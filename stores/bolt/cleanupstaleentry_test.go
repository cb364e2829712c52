package bolt

import (
	"testing"
	"time"

	"github.com/sessionkit/sessions/storetest"
)

// TestCleanupSkipsStaleExpiryEntries checks that the cleaner does not delete
// a live session for an expiry entry left over from an earlier record under
// its key. Delete of a corrupt record leaves that record's entries behind
// (they cannot be found without decoding it); when the key then holds a new
// session, the old entry coming due must not take the new session with it.
func TestCleanupSkipsStaleExpiryEntries(t *testing.T) {
	s := openTest(t, Options{CleanupInterval: -1})
	ctx := t.Context()
	key := storetest.NewKey(t)
	if err := s.Create(ctx, key, storetest.NewRecord(-time.Second)); err != nil {
		t.Fatal(err)
	}
	putRaw(t, s, key, []byte{99, 1, 2, 3}) // corrupt: its due entry stays
	if err := s.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	if err := s.Create(ctx, key, storetest.NewRecord(time.Hour, "k", 1)); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Cleanup(ctx); err != nil || n != 0 {
		t.Errorf("Cleanup = %d, %v; want 0, nil: only a stale entry was due", n, err)
	}
	if _, found, err := s.Load(ctx, key); err != nil || !found {
		t.Fatalf("the live session after Cleanup: found %v, %v; want it kept", found, err)
	}
	if n := count(t, s, bucketExpiry); n != 1 {
		t.Errorf("expiry index has %d entries, want 1 (the stale one dropped)", n)
	}
}
