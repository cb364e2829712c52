package memory

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"reflect"
	"testing"
	"time"
	"unsafe"

	"github.com/sessionkit/sessions"
)

// shardKey returns a random store key in shard i.
func shardKey(t testing.TB, i int) string {
	t.Helper()
	var b [31]byte
	rand.Read(b[:])
	k := fmt.Sprintf("%02x", i) + hex.EncodeToString(b[:])
	if !sessions.ValidKey(k) {
		t.Fatalf("shardKey made %q, not a store key", k)
	}
	return k
}

// shardFill is what a test puts in one shard, and what Cleanup should do
// with the shard's map: keep it and delete the expired records from it, or
// replace it with a map new to the heap, or with the map the shard before
// it had (emptied).
type shardFill struct {
	live, expired int
	want          string // "kept", "new" or "reused"
}

// TestCleanupCompacts fills shards with live and expired sessions, half of
// each owned by a user, and checks which way Cleanup removes the expired
// ones: a shard where many expired gets a new map holding only the live
// records, one where few did keeps its map and loses them one by one. A new
// map is the one the shard compacted before had, unless it would be four
// times too big or too small for the records kept. Either way the live
// sessions stay, the count and the user index follow.
func TestCleanupCompacts(t *testing.T) {
	for _, tc := range []struct {
		name   string
		shards []shardFill
	}{
		{"half expired", []shardFill{{1000, 1000, "new"}}},
		{"one in eight expired", []shardFill{{1400, 200, "new"}}},
		{"few expired", []shardFill{{1000, 100, "kept"}}},
		{"one batch expired", []shardFill{{100, deleteBatch, "kept"}}},
		{"none expired", []shardFill{{500, 0, "kept"}}},
		{"next shard reuses the map", []shardFill{{1000, 1000, "new"}, {800, 800, "reused"}}},
		{"few kept get a small map", []shardFill{{1000, 1000, "new"}, {100, 2000, "new"}}},
		{"reuse skips a shard kept", []shardFill{{1000, 1000, "new"}, {1000, 10, "kept"}, {900, 900, "reused"}}},
		{"many kept skip a small map", []shardFill{{100, 200, "new"}, {4000, 4000, "new"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			now := time.Unix(1_800_000_000, 0)
			st := New(Options{CleanupInterval: time.Hour, Now: func() time.Time { return now }})
			defer st.Close()
			ctx := context.Background()
			var live, expired []string
			before := map[unsafe.Pointer]int{}
			wantLive, wantUser, wantRemoved := 0, 0, 0
			for i, fill := range tc.shards {
				for j := range fill.live + fill.expired {
					k := shardKey(t, i)
					rec := &sessions.Record{Meta: sessions.Meta{Created: now.UnixNano(), Expires: now.Add(time.Hour).UnixNano()}}
					owned := j%2 == 0
					if owned {
						rec.User = "alice"
					}
					if j < fill.expired {
						rec.Expires = now.Add(-time.Second).UnixNano()
						expired = append(expired, k)
					} else {
						live = append(live, k)
						if owned {
							wantUser++
						}
					}
					rec.SetField("n", j)
					if err := st.Create(ctx, k, rec); err != nil {
						t.Fatal(err)
					}
				}
				before[reflect.ValueOf(st.shards[i].records).UnsafePointer()] = i
				wantLive += fill.live
				wantRemoved += fill.expired
			}

			if got := st.Cleanup(); got != wantRemoved {
				t.Fatalf("Cleanup removed %d, want %d", got, wantRemoved)
			}
			for i, fill := range tc.shards {
				sh := &st.shards[i]
				was, seen := before[reflect.ValueOf(sh.records).UnsafePointer()]
				got := "new"
				switch {
				case seen && was == i:
					got = "kept"
				case seen:
					got = "reused"
				}
				if got != fill.want {
					t.Errorf("shard %d: map %s, want %s", i, got, fill.want)
				}
				if len(sh.records) != fill.live {
					t.Errorf("shard %d holds %d records, want %d", i, len(sh.records), fill.live)
				}
				if sh.rebuilding || sh.dirty != nil {
					t.Errorf("shard %d left rebuilding=%v with %d dirty keys", i, sh.rebuilding, len(sh.dirty))
				}
			}
			if st.Len() != wantLive {
				t.Errorf("Len() = %d, want %d", st.Len(), wantLive)
			}
			for _, k := range live {
				if _, found, err := st.Load(ctx, k); err != nil || !found {
					t.Fatalf("live session lost: found=%v err=%v", found, err)
				}
			}
			for _, k := range expired {
				id, _ := parseKey(k)
				if _, ok := st.shard(id).records[id]; ok {
					t.Fatalf("expired record %s still held", k[:8])
				}
			}
			got, err := st.UserSessions(ctx, "alice")
			if err != nil {
				t.Fatal(err)
			}
			if indexed := len(indexedKeys(st, "alice")); len(got) != wantUser || indexed != wantUser {
				t.Errorf("alice has %d sessions listed and %d indexed, want %d", len(got), indexed, wantUser)
			}
		})
	}
}

// TestCleanupDropsOutgrownMap: a shard's map keeps the size of the most
// records it ever held, however many are left (a Go map never shrinks on
// delete). When such a map is replaced by a compaction it must not be
// handed to the next shard that compacts, which needs a fraction of it:
// after the sweep the store's memory is back near where it started.
func TestCleanupDropsOutgrownMap(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	st := New(Options{CleanupInterval: time.Hour, Now: func() time.Time { return now }})
	defer st.Close()
	ctx := context.Background()
	base := heapInUse()

	// create adds n sessions to shard i: the first expired of them end in
	// a minute, the others in three hours.
	create := func(i, n, expired int) []string {
		keys := make([]string, n)
		for j := range keys {
			keys[j] = shardKey(t, i)
			end := now.Add(3 * time.Hour)
			if j < expired {
				end = now.Add(time.Minute)
			}
			if err := st.Create(ctx, keys[j], &sessions.Record{Meta: sessions.Meta{Expires: end.UnixNano()}}); err != nil {
				t.Fatal(err)
			}
		}
		return keys
	}
	// Shard 0 once held 100,000 sessions; all but 300 logged out, and 200
	// of those expire.
	keys := create(0, 100_000, 200)
	peak := heapInUse()
	for _, k := range keys[300:] {
		if err := st.Delete(ctx, k); err != nil {
			t.Fatal(err)
		}
	}
	keys = nil
	// Shard 1, compacted next, holds 400 sessions, 200 of which expire.
	create(1, 400, 200)

	now = now.Add(time.Hour)
	if got := st.Cleanup(); got != 400 {
		t.Fatalf("Cleanup removed %d records, want 400", got)
	}
	wantHeapGivenBack(t, "the sweep", base, peak)
	if n0, n1 := len(st.shards[0].records), len(st.shards[1].records); n0 != 100 || n1 != 200 {
		t.Errorf("shards 0 and 1 hold %d and %d records after the sweep, want 100 and 200", n0, n1)
	}
}
