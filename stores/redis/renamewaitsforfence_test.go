package redis

import (
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/storetest"
)

// TestSingleNodeRenameWaitsForFence checks that a single-node Rename and
// RenameCommit that meet the fence of a cluster-safe Rename (stores of
// both protocols on one Redis, as while a deployment switches
// Options.Cluster) wait for the fence to go and then rename, as Commit and
// Increment do, rather than report the session as gone.
func TestSingleNodeRenameWaitsForFence(t *testing.T) {
	t.Parallel()
	c := sharedClient(t)
	s := newTestStore(t, c, Options{})
	ctx := t.Context()
	const hold = 200 * time.Millisecond
	for _, tc := range []struct {
		name   string
		rename func(oldKey, newKey string) error
	}{
		{"Rename", func(oldKey, newKey string) error { return s.Rename(ctx, oldKey, newKey, time.Minute) }},
		{"RenameCommit", func(oldKey, newKey string) error {
			d := &sessions.Delta{Set: []sessions.Field{{Key: "b", Value: 2}}}
			return s.RenameCommit(ctx, oldKey, newKey, time.Minute, d)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			oldKey, newKey := storetest.NewKey(t), storetest.NewKey(t)
			if err := s.Create(ctx, oldKey, storetest.NewRecord(time.Hour, "a", 1)); err != nil {
				t.Fatal(err)
			}
			// The fence of a cluster-safe Rename to another key, in progress.
			if err := fenceScript.Run(ctx, c, []string{s.hashKey(oldKey)}, storetest.NewKey(t), hold.Milliseconds()).Err(); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			if err := tc.rename(oldKey, newKey); err != nil {
				t.Fatalf("%s of a fenced record: %v, want it to wait for the fence and rename", tc.name, err)
			}
			if waited := time.Since(start); waited < hold-50*time.Millisecond {
				t.Errorf("%s went through a standing fence after %v", tc.name, waited)
			}
			if _, found, err := s.Load(ctx, newKey); !found || err != nil {
				t.Errorf("Load of the new key after %s: found %v, %v", tc.name, found, err)
			}
		})
	}
}
