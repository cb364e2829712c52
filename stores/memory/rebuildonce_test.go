package memory

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// TestShrunkMapStaysAfterRebuild checks that a map Cleanup rebuilt after a
// wave ended (the user index, a shard's grace aliases) takes the size of
// the new map as its peak, as a shard's records do: the next Cleanup, with
// nothing changed, keeps it instead of copying it again on every sweep.
func TestShrunkMapStaysAfterRebuild(t *testing.T) {
	const wave = 300 // more than a delete batch, with one entry left
	for _, tc := range []struct {
		name string
		// fill makes a wave that ends at now+time.Second beside one entry
		// that lasts, and returns the map Cleanup should rebuild.
		fill func(t *testing.T, st *Store, now time.Time) (current func() any)
	}{
		{"user index", func(t *testing.T, st *Store, now time.Time) func() any {
			for i := range wave + 1 {
				life := time.Second
				if i == wave {
					life = time.Hour
				}
				rec := &sessions.Record{Meta: sessions.Meta{User: fmt.Sprintf("user-%d", i), Expires: now.Add(life).UnixNano()}}
				if err := st.Create(context.Background(), shardKey(t, i%shardCount), rec); err != nil {
					t.Fatal(err)
				}
			}
			return func() any { return st.users }
		}},
		{"grace aliases", func(t *testing.T, st *Store, now time.Time) func() any {
			for i := range wave + 1 {
				grace := time.Second
				if i == wave {
					grace = time.Hour
				}
				from, to := shardKey(t, 1), shardKey(t, 2)
				rec := &sessions.Record{Meta: sessions.Meta{Expires: now.Add(2 * time.Hour).UnixNano()}}
				if err := st.Create(context.Background(), from, rec); err != nil {
					t.Fatal(err)
				}
				if err := st.Rename(context.Background(), from, to, grace); err != nil {
					t.Fatal(err)
				}
			}
			return func() any { return st.shards[1].aliases }
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			now := time.Unix(1_800_000_000, 0)
			st := New(Options{CleanupInterval: time.Hour, Now: func() time.Time { return now }})
			defer st.Close()
			current := tc.fill(t, st, now)
			ptr := func() uintptr { return reflect.ValueOf(current()).Pointer() }
			before := ptr()
			now = now.Add(2 * time.Second)
			st.Cleanup()
			rebuilt := ptr()
			if rebuilt == before {
				t.Fatalf("the %s map was not rebuilt after a wave of %d ended", tc.name, wave)
			}
			st.Cleanup()
			if ptr() != rebuilt {
				t.Errorf("the %s map was rebuilt again by a Cleanup that found nothing changed", tc.name)
			}
		})
	}
}
