package bolt

import (
	"errors"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/storetest"
)

// TestNilDeltaIsNotDamage: Commit with a nil *Delta is the caller's
// mistake. It panics in the caller, as with every other store, instead of
// being reported as a damaged database file, which would make the store
// refuse every later call until it is closed and opened again, and tell
// the operator to restore the file or move it aside.
func TestNilDeltaIsNotDamage(t *testing.T) {
	s := openTest(t, Options{})
	ctx := t.Context()
	key := storetest.NewKey(t)
	if err := s.Create(ctx, key, storetest.NewRecord(time.Hour, "n", 1)); err != nil {
		t.Fatal(err)
	}
	var got any
	var err error
	func() {
		defer func() { got = recover() }()
		err = s.Commit(ctx, key, nil)
	}()
	if got == nil {
		t.Errorf("Commit with a nil delta: no panic, error %v; want the caller's nil dereference to panic in the caller", err)
	}
	if errors.Is(err, sessions.ErrStoreUnavailable) {
		t.Errorf("Commit with a nil delta reported as the store's failure: %v", err)
	}
	if _, found, err := s.Load(ctx, key); !found || err != nil {
		t.Fatalf("Load after Commit with a nil delta: found %v, %v; want the session, the store working on", found, err)
	}
}
