package redis

import (
	"errors"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/storetest"
)

// TestAliasChainHops checks that Load, Commit and Increment follow the same
// number of grace aliases, maxAliasHops: a session renamed maxAliasHops
// times within the grace is still reached through its first key by all
// three, and one renamed once more is absent to all three. A Load that
// gave up one hop early would log a user out whose Commit still landed.
func TestAliasChainHops(t *testing.T) {
	t.Parallel()
	c := sharedClient(t)
	for _, p := range protocols {
		for _, renames := range []int{maxAliasHops, maxAliasHops + 1} {
			name := p.name + "/reachable"
			if renames > maxAliasHops {
				name = p.name + "/too_long"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				s := newTestStore(t, c, p.o)
				ctx := t.Context()
				keys := []string{storetest.NewKey(t)}
				if err := s.Create(ctx, keys[0], storetest.NewRecord(time.Hour, "n", 1)); err != nil {
					t.Fatal(err)
				}
				for range renames {
					next := storetest.NewKey(t)
					if err := s.Rename(ctx, keys[len(keys)-1], next, time.Minute); err != nil {
						t.Fatal(err)
					}
					keys = append(keys, next)
				}
				want := renames <= maxAliasHops

				rec, found, err := s.Load(ctx, keys[0])
				if err != nil || found != want {
					t.Fatalf("Load through %d aliases: found %v, %v; want found %v", renames, found, err, want)
				}
				if want {
					if n, _ := rec.Lookup("n"); n != 1 {
						t.Errorf("Load through %d aliases: n = %v, want 1", renames, n)
					}
				}
				d := &sessions.Delta{Set: []sessions.Field{{Key: "x", Value: "y"}}}
				if err := s.Commit(ctx, keys[0], d); want && err != nil || !want && !errors.Is(err, sessions.ErrNotFound) {
					t.Errorf("Commit through %d aliases: %v, want found %v", renames, err, want)
				}
				if _, err := s.Increment(ctx, keys[0], "n", 1); want && err != nil || !want && !errors.Is(err, sessions.ErrNotFound) {
					t.Errorf("Increment through %d aliases: %v, want found %v", renames, err, want)
				}
			})
		}
	}
}
