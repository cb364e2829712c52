package bolt

import (
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/storetest"
)

// TestCountLiveSessions checks what storetest's Count does not: Count
// counts neither a record that does not decode (Load refuses it as
// corrupt) nor the records of another store's bucket in the same file, and
// fails after Close.
func TestCountLiveSessions(t *testing.T) {
	ctx := t.Context()
	s := openTest(t, Options{CleanupInterval: -1})
	other, err := New(s.DB(), Options{Bucket: "other", CleanupInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := other.Create(ctx, storetest.NewKey(t), storetest.NewRecord(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.Create(ctx, storetest.NewKey(t), storetest.NewRecord(time.Hour)); err != nil {
		t.Fatal(err)
	}
	corrupt := storetest.NewKey(t)
	putRaw(t, s, corrupt, []byte("\xffnot a record"))
	if _, _, err := s.Load(ctx, corrupt); err == nil {
		t.Fatal("the damaged record loads; the test needs one Load refuses")
	}
	if n, err := s.Count(ctx); err != nil || n != 1 {
		t.Fatalf("Count = %d, %v; want 1 (not the other bucket's, not the damaged record), nil", n, err)
	}

	s.Close()
	if _, err := s.Count(ctx); err == nil {
		t.Errorf("Count after Close = nil error, want one wrapping %v", sessions.ErrStoreUnavailable)
	}
}
