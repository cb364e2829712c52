package redis

import (
	"errors"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/storetest"
)

// TestCorruptKeyIsTaken checks that Create and Rename treat a key holding
// a damaged record (which Load reports as sessions.ErrCorrupt) as taken:
// sessions.ErrExists, and the damaged hash left as it was for an operator
// to look at. Only a retired key's marker, which holds no session, may be
// replaced.
func TestCorruptKeyIsTaken(t *testing.T) {
	t.Parallel()
	c := sharedClient(t)
	for _, p := range protocols {
		for _, tc := range []struct {
			name string
			hash map[string]any
		}{
			{"no version", map[string]any{fCreated: "1", "v:x": "s1"}},
			{"unknown version", map[string]any{fVersion: "9", fCreated: "1"}},
		} {
			t.Run(p.name+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				s := newTestStore(t, c, p.o)
				ctx := t.Context()
				damaged := storetest.NewKey(t)
				if err := c.HSet(ctx, s.hashKey(damaged), tc.hash).Err(); err != nil {
					t.Fatal(err)
				}
				if err := s.Create(ctx, damaged, storetest.NewRecord(time.Hour, "x", 1)); !errors.Is(err, sessions.ErrExists) {
					t.Errorf("Create onto a damaged record: %v, want ErrExists", err)
				}
				old := storetest.NewKey(t)
				if err := s.Create(ctx, old, storetest.NewRecord(time.Hour, "x", 1)); err != nil {
					t.Fatal(err)
				}
				if err := s.Rename(ctx, old, damaged, 0); !errors.Is(err, sessions.ErrExists) {
					t.Errorf("Rename onto a damaged record: %v, want ErrExists", err)
				}
				if _, found, err := s.Load(ctx, old); !found || err != nil {
					t.Errorf("Load of the old key after the refused Rename: found %v, %v", found, err)
				}
				if _, _, err := s.Load(ctx, damaged); !errors.Is(err, sessions.ErrCorrupt) {
					t.Errorf("Load of the damaged record after the refused writes: %v, want ErrCorrupt still", err)
				}
			})
		}
	}
}
