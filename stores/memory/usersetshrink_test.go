package memory

import (
	"context"
	"math/rand/v2"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// TestUserSetGivesMemoryBack: one user who once had a wave of sessions (a
// script logging in in a loop) and now has one does not keep the index of
// the wave: once the sessions have ended, by logout or by expiring, and
// Cleanup has run, the user's own set of keys gives its memory back, as
// the shards' maps and the user index's map of users do (a Go map never
// shrinks on delete). The session left stays listed, and a session the
// user creates after is listed too.
func TestUserSetGivesMemoryBack(t *testing.T) {
	for _, tc := range []struct {
		name string
		end  func(t *testing.T, st *Store, keys []string, advance func())
	}{
		{"logouts", func(t *testing.T, st *Store, keys []string, _ func()) {
			for _, k := range keys {
				if err := st.Delete(context.Background(), k); err != nil {
					t.Fatal(err)
				}
			}
		}},
		{"expiries", func(t *testing.T, st *Store, keys []string, advance func()) {
			advance()
			if got := st.Cleanup(); got != len(keys) {
				t.Fatalf("Cleanup removed %d records, want %d", got, len(keys))
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			now := time.Unix(1_800_000_000, 0)
			st := New(Options{CleanupInterval: time.Hour, Now: func() time.Time { return now }})
			defer st.Close()
			ctx := context.Background()
			base := heapInUse()

			const wave = 200_000
			keys := make([]string, wave)
			for i := range keys {
				keys[i] = shardKey(t, i%shardCount)
				rec := &sessions.Record{Meta: sessions.Meta{User: "bot", Expires: now.Add(time.Minute).UnixNano()}}
				if err := st.Create(ctx, keys[i], rec); err != nil {
					t.Fatal(err)
				}
			}
			stay := shardKey(t, 7)
			if err := st.Create(ctx, stay, &sessions.Record{Meta: sessions.Meta{User: "bot", Expires: now.Add(time.Hour).UnixNano()}}); err != nil {
				t.Fatal(err)
			}
			peak := heapInUse()

			tc.end(t, st, keys, func() { now = now.Add(2 * time.Minute) })
			keys = nil
			st.Cleanup()
			wantHeapGivenBack(t, "the wave of one user ended", base, peak)

			if got := userKeys(t, st, "bot"); !slices.Equal(got, []string{stay}) {
				t.Errorf("UserSessions(bot) lists %d sessions, want the 1 left", len(got))
			}
			k := shardKey(t, 9)
			if err := st.Create(ctx, k, &sessions.Record{Meta: sessions.Meta{User: "bot", Expires: now.Add(time.Hour).UnixNano()}}); err != nil {
				t.Fatal(err)
			}
			if got, want := userKeys(t, st, "bot"), sorted(stay, k); !slices.Equal(got, want) {
				t.Errorf("after a new session UserSessions(bot) lists %d sessions, want %d", len(got), len(want))
			}
			checkStore(t, st)
		})
	}
}

// TestShrinkUserSetWhileIndexing has Cleanup give a user's outgrown set of
// keys a new map while writers create, delete and move away that user's
// sessions. After every round the index lists exactly the user's live
// records: none lost, none left over.
func TestShrinkUserSetWhileIndexing(t *testing.T) {
	var now atomic.Int64
	now.Store(time.Unix(1_800_000_000, 0).UnixNano())
	st := New(Options{CleanupInterval: time.Hour, Now: func() time.Time { return time.Unix(0, now.Load()) }})
	defer st.Close()
	ctx := context.Background()
	const (
		gone    = 20_000 // alice's sessions that expire each round
		writers = 4
		each    = 400 // keys per writer: the set keeps more than a scan batch
	)
	keys := make([][]string, writers)
	for w := range keys {
		for i := range each {
			keys[w] = append(keys[w], shardKey(t, (w*each+i)%shardCount))
		}
	}
	for round := range 10 {
		for i := range gone {
			rec := &sessions.Record{Meta: sessions.Meta{User: "alice", Expires: now.Load() + 1}}
			if err := st.Create(ctx, shardKey(t, i%shardCount), rec); err != nil {
				t.Fatal(err)
			}
		}
		now.Add(2)
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for w := range writers {
			wg.Go(func() {
				rng := rand.New(rand.NewPCG(uint64(round), uint64(w)))
				for {
					select {
					case <-stop:
						return
					default:
					}
					k := keys[w][rng.IntN(each)]
					var err error
					switch rng.IntN(3) {
					case 0:
						err = st.Delete(ctx, k)
					case 1:
						err = st.Create(ctx, k, &sessions.Record{Meta: sessions.Meta{User: "alice", Expires: now.Load() + int64(time.Hour)}})
						if err == sessions.ErrExists {
							err = nil
						}
					default: // the session, if any, moves to bob or back
						user := []string{"alice", "bob"}[rng.IntN(2)]
						err = st.Commit(ctx, k, &sessions.Delta{Meta: &sessions.Meta{User: user}, MetaFields: sessions.MetaUser})
						if err == sessions.ErrNotFound {
							err = nil
						}
					}
					if err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		removed := st.Cleanup()
		close(stop)
		wg.Wait()
		if removed != gone {
			t.Fatalf("round %d: Cleanup removed %d records, want %d", round, removed, gone)
		}
		checkStore(t, st)
		if set := st.users["alice"]; set == nil || set.peak > writers*each {
			t.Fatalf("round %d: alice's set of keys was not rebuilt after %d of them expired", round, gone)
		}
		for _, u := range []string{"alice", "bob"} {
			if got, want := userKeys(t, st, u), recordsOf(st, u); !slices.Equal(got, want) {
				t.Fatalf("round %d: UserSessions(%s) lists %d sessions, the store holds %d of theirs", round, u, len(got), len(want))
			}
		}
		if t.Failed() {
			return
		}
	}
}

// userKeys returns the keys UserSessions lists for user, sorted.
func userKeys(t *testing.T, st *Store, user string) []string {
	t.Helper()
	list, err := st.UserSessions(context.Background(), user)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, 0, len(list))
	for _, in := range list {
		out = append(out, in.Key)
	}
	slices.Sort(out)
	return out
}

// recordsOf returns the keys of the records of user the shards hold,
// sorted. The store must be quiet and hold no expired record.
func recordsOf(st *Store, user string) []string {
	var out []string
	for i := range st.shards {
		sh := &st.shards[i]
		sh.mu.RLock()
		for k, r := range sh.records {
			if r.User == user {
				out = append(out, keyString(k))
			}
		}
		sh.mu.RUnlock()
	}
	slices.Sort(out)
	return out
}

func sorted(keys ...string) []string {
	slices.Sort(keys)
	return keys
}

// indexedKeys returns the set of keys the user index holds for user, nil
// when it holds none. The caller holds usersMu or the store is quiet.
func indexedKeys(st *Store, user string) map[key]struct{} {
	if set := st.users[user]; set != nil {
		return set.keys
	}
	return nil
}

// TestUserSetRebuildRule: a user's set of keys gets a new map from Cleanup
// once it holds fewer than 1/compactShare of the most keys it held, and
// more than a delete batch fewer, however the keys left; otherwise it keeps
// its map. After a rebuild the set's peak is what it holds, so sweeps with
// nothing changed, and a user whose sessions come and go around the same
// number, keep the new map.
func TestUserSetRebuildRule(t *testing.T) {
	for _, tc := range []struct {
		name             string
		created, deleted int    // deleted by Delete
		expired          int    // of those not deleted, left to expire
		want             string // "kept" or "new"
	}{
		{"a tenth left", 4000, 3600, 0, "new"},
		{"an eighth left", 4000, 3500, 0, "kept"},
		{"few deleted", 4000, 1000, 0, "kept"},
		{"one batch gone", deleteBatch + 1, deleteBatch, 0, "kept"},
		{"a batch and one gone", deleteBatch + 2, deleteBatch + 1, 0, "new"},
		{"expiries", 4000, 0, 3600, "new"},
		{"deletes and expiries", 4000, 1800, 1800, "new"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			now := time.Unix(1_800_000_000, 0)
			st := New(Options{CleanupInterval: time.Hour, Now: func() time.Time { return now }})
			defer st.Close()
			ctx := context.Background()
			var live []string
			for i := range tc.created {
				k := shardKey(t, i%shardCount)
				end := now.Add(time.Hour)
				if i >= tc.deleted && i < tc.deleted+tc.expired {
					end = now.Add(time.Minute)
				}
				if err := st.Create(ctx, k, &sessions.Record{Meta: sessions.Meta{User: "alice", Expires: end.UnixNano()}}); err != nil {
					t.Fatal(err)
				}
				live = append(live, k)
			}
			for _, k := range live[:tc.deleted] {
				if err := st.Delete(ctx, k); err != nil {
					t.Fatal(err)
				}
			}
			live = live[tc.deleted+tc.expired:]
			before := setIdentity(st, "alice")

			now = now.Add(2 * time.Minute)
			if got := st.Cleanup(); got != tc.expired {
				t.Fatalf("Cleanup removed %d, want %d", got, tc.expired)
			}
			got := "kept"
			if setIdentity(st, "alice") != before {
				got = "new"
			}
			if got != tc.want {
				t.Errorf("alice's set of keys: map %s, want %s", got, tc.want)
			}
			if set := st.users["alice"]; got == "new" && set.peak != len(live) {
				t.Errorf("after the rebuild the set's peak is %d, want the %d keys it holds", set.peak, len(live))
			}
			if got, want := userKeys(t, st, "alice"), sorted(live...); !slices.Equal(got, want) {
				t.Fatalf("UserSessions(alice) lists %d sessions, want %d", len(got), len(want))
			}
			checkStore(t, st)

			// Nothing changed, then sessions come and go around the same
			// number: the map stays.
			steady := setIdentity(st, "alice")
			for round := range 20 {
				for range 50 {
					k := shardKey(t, round%shardCount)
					if err := st.Create(ctx, k, &sessions.Record{Meta: sessions.Meta{User: "alice", Expires: now.Add(time.Hour).UnixNano()}}); err != nil {
						t.Fatal(err)
					}
					if err := st.Delete(ctx, live[0]); err != nil {
						t.Fatal(err)
					}
					live = append(live[1:], k)
				}
				if got := st.Cleanup(); got != 0 {
					t.Fatalf("Cleanup removed %d, want 0", got)
				}
				if setIdentity(st, "alice") != steady {
					t.Fatalf("round %d: a user whose sessions stay at %d had the set rebuilt again", round, len(live))
				}
			}
			if got, want := userKeys(t, st, "alice"), sorted(live...); !slices.Equal(got, want) {
				t.Fatalf("UserSessions(alice) lists %d sessions after the churn, want %d", len(got), len(want))
			}
		})
	}
}

// setIdentity returns the address of user's map of keys, to tell whether
// it was replaced.
func setIdentity(st *Store, user string) uintptr {
	return reflect.ValueOf(indexedKeys(st, user)).Pointer()
}
