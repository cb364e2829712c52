package storetest

import (
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// testCount checks Count, on a store that implements sessions.Counter: it
// counts live sessions and nothing else, not a rename's grace alias (Load
// reaches a session through it), not an expired record, not a deleted
// session. It counts from what Count says before, so a store whose harness
// shares its backend with other records may run it too.
func testCount(t *testing.T, h Harness) {
	s := h.New(t)
	c, ok := s.(sessions.Counter)
	if !ok {
		t.Skip("store does not implement sessions.Counter")
	}
	base, err := c.Count(ctx(t))
	if err != nil {
		t.Fatalf("Count: %v", err)
	}
	count := func(want int, after string) {
		t.Helper()
		n, err := c.Count(ctx(t))
		if err != nil || n != base+want {
			t.Fatalf("after %s: Count = %d, %v; want %d more than the %d before, nil", after, n, err, want, base)
		}
	}

	var keys []string
	for i := range 4 {
		key := NewKey(t)
		rec := NewRecord(time.Hour, "n", i)
		if i%2 == 0 {
			rec.User = "alice"
		}
		mustCreate(t, s, key, rec)
		keys = append(keys, key)
	}
	count(4, "creating 4")

	for i := range 2 {
		renamed := NewKey(t)
		if err := s.Rename(ctx(t), keys[i], renamed, time.Minute); err != nil {
			t.Fatal(err)
		}
		if _, found, err := s.Load(ctx(t), keys[i]); !found || err != nil {
			t.Fatalf("Load through the grace alias = %v, %v", found, err)
		}
		keys[i] = renamed
	}
	count(4, "2 renames with grace")

	if err := s.Create(ctx(t), NewKey(t), NewRecord(-time.Minute, "n", 9)); err != nil {
		t.Fatalf("Create of an expired record: %v", err)
	}
	count(4, "an expired session")

	if err := s.Delete(ctx(t), keys[3]); err != nil {
		t.Fatal(err)
	}
	count(3, "a delete")
}
