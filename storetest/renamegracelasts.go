package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// testRenameGraceLasts checks that a grace alias lasts the whole grace
// Rename was given, not a part of it: two thirds into the grace the old key
// still reaches the renamed record for Load, Commit and Increment
// (RenameGrace checks that it ends once the grace has passed). A store
// that ends the grace early fails the requests still in flight with the old
// ID. When the calls themselves take until the grace has passed, the test
// is skipped: it can tell nothing then.
func testRenameGraceLasts(t *testing.T, h Harness) {
	s := h.New(t)
	const grace = 3 * time.Second
	oldKey, newKey := NewKey(t), NewKey(t)
	mustCreate(t, s, oldKey, NewRecord(time.Hour, "a", 1))
	start := time.Now()
	if err := s.Rename(ctx(t), oldKey, newKey, grace); err != nil {
		t.Fatalf("Rename: %v", err)
	}
	time.Sleep(2*grace/3 - time.Since(start))

	var failed []string
	rec, found, err := s.Load(ctx(t), oldKey)
	switch {
	case err != nil || !found:
		failed = append(failed, fmt.Sprintf("Load: found %v, err %v", found, err))
	case values(rec)["a"] != 1:
		failed = append(failed, fmt.Sprintf("Load: a = %v, want 1", values(rec)["a"]))
	}
	d := &sessions.Delta{Set: []sessions.Field{{Key: "b", Value: 2}}}
	if err := s.Commit(ctx(t), oldKey, d); err != nil {
		failed = append(failed, "Commit: "+err.Error())
	}
	if _, err := s.Increment(ctx(t), oldKey, "n", 1); err != nil {
		failed = append(failed, "Increment: "+err.Error())
	}
	elapsed := time.Since(start)
	if elapsed >= grace {
		t.Skipf("the calls took until %v after the Rename, past the grace of %v: nothing to tell", elapsed, grace)
	}
	for _, f := range failed {
		t.Errorf("through the old key %v into a grace of %v: %s; want the renamed record", elapsed.Round(time.Millisecond), grace, f)
	}
	if len(failed) == 0 {
		got := values(mustLoad(t, s, newKey))
		if n, _ := sessions.As[int64](got["n"]); got["a"] != 1 || got["b"] != 2 || n != 1 {
			t.Errorf("new key after writes through the old key within the grace: %v, want a=1, b=2 and n=1", got)
		}
	}
}
