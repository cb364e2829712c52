package memory

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// TestCleanupRebuildsMapAfterDeletes: a shard whose records left through
// Delete, not by expiring, gets a new map from the sweep once it holds
// fewer than 1/compactShare of the most records it held, and more than a
// delete batch fewer. A shard that kept more, or lost a batch or less,
// keeps its map. After a rebuild the most records the shard held is what
// it holds now, so a second sweep with nothing changed keeps the new map.
func TestCleanupRebuildsMapAfterDeletes(t *testing.T) {
	for _, tc := range []struct {
		name                      string
		created, expired, deleted int    // deleted: live records deleted
		want                      string // "kept" or "new"
	}{
		{"all deleted", 4000, 0, 4000, "new"},
		{"a tenth left", 4000, 0, 3600, "new"},
		{"an eighth left", 4000, 0, 3500, "kept"},
		{"one batch deleted", deleteBatch, 0, deleteBatch, "kept"},
		{"a batch and one deleted", deleteBatch + 1, 0, deleteBatch + 1, "new"},
		{"deletes and a few expiries", 4000, 100, 3700, "new"},
		{"few deleted", 4000, 0, 1000, "kept"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			now := time.Unix(1_800_000_000, 0)
			st := New(Options{CleanupInterval: time.Hour, Now: func() time.Time { return now }})
			defer st.Close()
			ctx := context.Background()
			var live []string
			for j := range tc.created {
				k := shardKey(t, 0)
				end := now.Add(time.Hour)
				if j < tc.expired {
					end = now.Add(-time.Second)
				}
				rec := &sessions.Record{Meta: sessions.Meta{User: "alice", Created: now.UnixNano(), Expires: end.UnixNano()}}
				if err := st.Create(ctx, k, rec); err != nil {
					t.Fatal(err)
				}
				if j >= tc.expired {
					live = append(live, k)
				}
			}
			for _, k := range live[:tc.deleted] {
				if err := st.Delete(ctx, k); err != nil {
					t.Fatal(err)
				}
			}
			live = live[tc.deleted:]
			sh := &st.shards[0]
			before := reflect.ValueOf(sh.records).UnsafePointer()

			if got := st.Cleanup(); got != tc.expired {
				t.Fatalf("Cleanup removed %d, want %d", got, tc.expired)
			}
			got := "kept"
			if reflect.ValueOf(sh.records).UnsafePointer() != before {
				got = "new"
			}
			if got != tc.want {
				t.Errorf("map %s, want %s", got, tc.want)
			}
			if len(sh.records) != len(live) || st.Len() != len(live) {
				t.Errorf("shard holds %d records, Len() = %d, want %d", len(sh.records), st.Len(), len(live))
			}
			if got == "new" && sh.peak != len(live) {
				t.Errorf("after the rebuild the shard's peak is %d, want the %d records it holds", sh.peak, len(live))
			}
			if sh.rebuilding || sh.dirty != nil {
				t.Errorf("shard left rebuilding=%v with %d dirty keys", sh.rebuilding, len(sh.dirty))
			}
			for _, k := range live {
				if _, found, err := st.Load(ctx, k); err != nil || !found {
					t.Fatalf("live session lost: found=%v err=%v", found, err)
				}
			}
			if got, err := st.UserSessions(ctx, "alice"); err != nil || len(got) != len(live) {
				t.Errorf("alice has %d sessions listed (%v), want %d", len(got), err, len(live))
			}

			// Nothing changed: the next sweeps keep the map.
			steady := reflect.ValueOf(sh.records).UnsafePointer()
			for range 3 {
				if got := st.Cleanup(); got != 0 {
					t.Fatalf("second Cleanup removed %d, want 0", got)
				}
				if reflect.ValueOf(sh.records).UnsafePointer() != steady {
					t.Fatalf("a sweep with nothing changed rebuilt the map again")
				}
			}
		})
	}
}

// TestCleanupShrinksAfterLogouts: a wave of sessions that all log out
// (Delete) instead of expiring leaves the shards' maps at their size at the
// wave's peak, as a Go map never shrinks on delete. The next sweep gives the
// memory back: after it the heap is near where it started.
func TestCleanupShrinksAfterLogouts(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	st := New(Options{CleanupInterval: time.Hour, Now: func() time.Time { return now }})
	defer st.Close()
	ctx := context.Background()
	base := heapInUse()

	const wave = 200_000
	keys := make([]string, wave)
	for i := range keys {
		keys[i] = shardKey(t, i%shardCount)
		rec := &sessions.Record{Meta: sessions.Meta{Expires: now.Add(time.Hour).UnixNano()}}
		if err := st.Create(ctx, keys[i], rec); err != nil {
			t.Fatal(err)
		}
	}
	peak := heapInUse()
	// All log out but one.
	for _, k := range keys[1:] {
		if err := st.Delete(ctx, k); err != nil {
			t.Fatal(err)
		}
	}
	kept := keys[0]
	keys = nil

	if got := st.Cleanup(); got != 0 {
		t.Fatalf("Cleanup removed %d records, want 0 (none expired)", got)
	}
	wantHeapGivenBack(t, "the logouts and a sweep", base, peak)
	if st.Len() != 1 {
		t.Errorf("Len() = %d after the sweep, want 1", st.Len())
	}
	if _, found, err := st.Load(ctx, kept); !found || err != nil {
		t.Errorf("Load of the session left: found %v, %v", found, err)
	}
}
