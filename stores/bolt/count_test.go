package bolt

import (
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/storetest"
)

// TestCountLiveSessions checks that Count counts the live sessions and
// nothing else: not a rename's grace alias (Load reaches a session through
// it), not an expired record the cleaner has not removed yet, not a record
// that does not decode (Load refuses it as corrupt), not a deleted
// session, and not the records of another store's bucket in the same
// file.
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
	count(4, "an expired session")

	corrupt := storetest.NewKey(t)
	putRaw(t, s, corrupt, []byte("\xffnot a record"))
	if _, _, err := s.Load(ctx, corrupt); err == nil {
		t.Fatal("the damaged record loads; the test needs one Load refuses")
	}
	count(4, "a record that does not decode")

	if err := s.Delete(ctx, keys[3]); err != nil {
		t.Fatal(err)
	}
	count(3, "a delete")

	s.Close()
	if _, err := s.Count(ctx); err == nil {
		t.Errorf("Count after Close = nil error, want one wrapping %v", sessions.ErrStoreUnavailable)
	}
}
