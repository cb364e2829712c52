package memory

import (
	"context"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// TestCleanupDropsAliasAtItsDeadline checks that a sweep made at the very
// instant a grace alias ends drops it: the alias no longer resolves then
// (see TestGraceAliasEndsAtItsDeadline), so it is as dead as an expired
// record is at its Expires, and is not kept for the next sweep. An alias a
// nanosecond short of its end is kept.
func TestCleanupDropsAliasAtItsDeadline(t *testing.T) {
	const grace = 10 * time.Second
	for _, tc := range []struct {
		name  string
		after time.Duration // from the Rename to the sweep
		kept  bool
	}{
		{"a nanosecond before the end", grace - 1, true},
		{"at the end", grace, false},
		{"after the end", grace + 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			now := time.Unix(1_800_000_000, 0)
			st := New(Options{CleanupInterval: time.Hour, Now: func() time.Time { return now }})
			defer st.Close()
			from, to := shardKey(t, 1), shardKey(t, 2)
			rec := &sessions.Record{Meta: sessions.Meta{Expires: now.Add(time.Hour).UnixNano()}}
			if err := st.Create(ctx, from, rec); err != nil {
				t.Fatal(err)
			}
			if err := st.Rename(ctx, from, to, grace); err != nil {
				t.Fatal(err)
			}
			now = now.Add(tc.after)
			st.Cleanup()
			id, _ := parseKey(from)
			if _, ok := st.shard(id).aliases[id]; ok != tc.kept {
				t.Fatalf("alias after a sweep %v after a Rename with grace %v: kept = %v, want %v", tc.after, grace, ok, tc.kept)
			}
		})
	}
}
