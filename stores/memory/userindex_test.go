package memory

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// listed reports whether UserSessions lists key for user.
func listed(t *testing.T, st *Store, user, key string) bool {
	t.Helper()
	list, err := st.UserSessions(context.Background(), user)
	if err != nil {
		t.Fatal(err)
	}
	return slices.ContainsFunc(list, func(in sessions.Info) bool { return in.Key == key })
}

// TestSweepIndexOfReusedKey has a sweep remove an expired record of
// alice's while a record is created under the same key right after it.
// The user index must then list the key for the new record's user only:
// still for alice when the new record is hers (the sweep removes index
// entries only under the shard's lock, once it has seen the key empty),
// and no longer for alice when it is another user's or anonymous (that
// Create found no record, so only the sweep can drop her entry, and a
// stale one would stay for good). Both ways of removing records are
// tried: batch deletes (few expired) and a rebuilt map (many).
func TestSweepIndexOfReusedKey(t *testing.T) {
	for _, tc := range []struct {
		name    string
		expired int
		user    string // of the record created under the swept key
	}{
		{"batch deletes, same user", 20, "alice"},
		{"batch deletes, other user", 20, "bob"},
		{"batch deletes, anonymous", 20, ""},
		{"rebuilt map, same user", 400, "alice"},
		{"rebuilt map, other user", 400, "bob"},
		{"rebuilt map, anonymous", 400, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for range 20 {
				sweepThenCreate(t, tc.expired, tc.user)
				if t.Failed() {
					return
				}
			}
		})
	}
}

func sweepThenCreate(t *testing.T, expired int, user string) {
	ctx := context.Background()
	var now atomic.Int64
	now.Store(time.Unix(1_800_000_000, 0).UnixNano())
	st := New(Options{CleanupInterval: time.Hour, Now: func() time.Time { return time.Unix(0, now.Load()) }})
	defer st.Close()
	var target string
	for i := range expired + 100 {
		k := shardKey(t, 0)
		exp := now.Load() + int64(time.Hour)
		if i < expired {
			exp = now.Load() + int64(time.Second)
			target = k
		}
		if err := st.Create(ctx, k, &sessions.Record{Meta: sessions.Meta{User: "alice", Expires: exp}}); err != nil {
			t.Fatal(err)
		}
	}
	now.Add(int64(2 * time.Second))

	// As soon as the sweep has removed the target's expired record, store
	// a new one under its key.
	id, _ := parseKey(target)
	sh := st.shard(id)
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			sh.mu.RLock()
			_, held := sh.records[id]
			sh.mu.RUnlock()
			if !held {
				break
			}
			runtime.Gosched()
		}
		rec := &sessions.Record{Meta: sessions.Meta{User: user, Expires: now.Load() + int64(time.Hour)}}
		if err := st.Create(ctx, target, rec); err != nil {
			t.Error(err)
		}
	})
	if got := st.Cleanup(); got != expired {
		t.Errorf("Cleanup removed %d, want %d", got, expired)
	}
	wg.Wait()
	if user == "alice" {
		if !listed(t, st, "alice", target) {
			t.Errorf("the session created under a swept key is not listed for its user")
		}
		return
	}
	st.usersMu.Lock()
	_, stale := indexedKeys(st, "alice")[id]
	st.usersMu.Unlock()
	if stale {
		t.Errorf("alice's swept session is still in her index, under a key that now holds a session of %q", user)
	}
	if user != "" && !listed(t, st, user, target) {
		t.Errorf("the session created under a swept key is not listed for its user")
	}
}

// TestRenameOverExpiredKeepsIndex renames a session onto a key that holds
// an expired record of the same user: the index must list the renamed
// session under its new key.
func TestRenameOverExpiredKeepsIndex(t *testing.T) {
	ctx := context.Background()
	var now atomic.Int64
	now.Store(time.Unix(1_800_000_000, 0).UnixNano())
	st := New(Options{CleanupInterval: time.Hour, Now: func() time.Time { return time.Unix(0, now.Load()) }})
	defer st.Close()
	from, to := shardKey(t, 1), shardKey(t, 2)
	if err := st.Create(ctx, to, &sessions.Record{Meta: sessions.Meta{User: "alice", Expires: now.Load() + int64(time.Second)}}); err != nil {
		t.Fatal(err)
	}
	now.Add(int64(2 * time.Second))
	if err := st.Create(ctx, from, &sessions.Record{Meta: sessions.Meta{User: "alice", Expires: now.Load() + int64(time.Hour)}}); err != nil {
		t.Fatal(err)
	}
	if err := st.Rename(ctx, from, to, 0); err != nil {
		t.Fatal(err)
	}
	if !listed(t, st, "alice", to) {
		t.Errorf("the renamed session is not listed for its user")
	}
	if listed(t, st, "alice", from) {
		t.Errorf("the old key is still listed for the user")
	}
	if st.Len() != 1 {
		t.Errorf("Len() = %d, want 1", st.Len())
	}
}

// TestRemovalsDropIndex checks that every way a record leaves the store
// takes its key out of its user's index: Delete, DeleteUserSessions, and a
// Create or Rename onto a key whose record had expired. A stale entry would
// stay for good (no sweep sees that key's record expire any more), and
// UserSessions, which checks every key it lists against its record, must
// not list the key for the old user meanwhile.
func TestRemovalsDropIndex(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		remove func(t *testing.T, st *Store, k string, now int64) error
	}{
		{"Delete", func(t *testing.T, st *Store, k string, now int64) error { return st.Delete(ctx, k) }},
		{"DeleteUserSessions", func(t *testing.T, st *Store, k string, now int64) error {
			_, err := st.DeleteUserSessions(ctx, "alice", "")
			return err
		}},
		{"Create over expired", func(t *testing.T, st *Store, k string, now int64) error {
			return st.Create(ctx, k, &sessions.Record{Meta: sessions.Meta{User: "bob", Expires: now + int64(time.Hour)}})
		}},
		{"Rename over expired", func(t *testing.T, st *Store, k string, now int64) error {
			from := shardKey(t, 3)
			if err := st.Create(ctx, from, &sessions.Record{Meta: sessions.Meta{User: "bob", Expires: now + int64(time.Hour)}}); err != nil {
				t.Fatal(err)
			}
			return st.Rename(ctx, from, k, 0)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var now atomic.Int64
			now.Store(time.Unix(1_800_000_000, 0).UnixNano())
			st := New(Options{CleanupInterval: time.Hour, Now: func() time.Time { return time.Unix(0, now.Load()) }})
			defer st.Close()
			k := shardKey(t, 1)
			if err := st.Create(ctx, k, &sessions.Record{Meta: sessions.Meta{User: "alice", Expires: now.Load() + int64(time.Second)}}); err != nil {
				t.Fatal(err)
			}
			if strings.HasSuffix(tc.name, "over expired") {
				now.Add(int64(2 * time.Second))
			}
			if err := tc.remove(t, st, k, now.Load()); err != nil {
				t.Fatal(err)
			}
			id, _ := parseKey(k)
			st.usersMu.Lock()
			_, stale := indexedKeys(st, "alice")[id]
			st.usersMu.Unlock()
			if stale {
				t.Errorf("alice's index still holds the key after %s", tc.name)
			}
			if listed(t, st, "alice", k) {
				t.Errorf("UserSessions(alice) lists the key after %s", tc.name)
			}
			// A stale entry, as a sweep leaves one briefly, is not listed.
			st.shard(id).mu.Lock()
			st.index("alice", id)
			st.shard(id).mu.Unlock()
			if listed(t, st, "alice", k) {
				t.Errorf("UserSessions(alice) lists a stale index entry after %s", tc.name)
			}
		})
	}
}

// TestUserChangesKeepIndex has commits that move one session between two
// users race each other: whoever lands last, the session must be indexed
// (and listed) under the user its record names, and only under that one.
func TestUserChangesKeepIndex(t *testing.T) {
	ctx := context.Background()
	st := New(Options{CleanupInterval: time.Hour})
	defer st.Close()
	users := []string{"alice", "bob"}
	for round := range 200 {
		k := shardKey(t, round%shardCount)
		if err := st.Create(ctx, k, &sessions.Record{Meta: sessions.Meta{User: users[0], Expires: time.Now().Add(time.Hour).UnixNano()}}); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Go(func() {
				for i := range 50 {
					m := &sessions.Meta{User: users[(w+i)%2]}
					d := &sessions.Delta{Meta: m, MetaFields: sessions.MetaUser}
					if err := st.Commit(ctx, k, d); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		rec, found, err := st.Load(ctx, k)
		if err != nil || !found {
			t.Fatalf("session lost: found=%v err=%v", found, err)
		}
		if !listed(t, st, rec.User, k) {
			t.Fatalf("round %d: the session is not listed for %s, the user its record names", round, rec.User)
		}
		id, _ := parseKey(k)
		for _, u := range users {
			if _, indexed := indexedKeys(st, u)[id]; indexed != (u == rec.User) {
				t.Fatalf("round %d: the index has the session under %s: %v; its record names %s", round, u, indexed, rec.User)
			}
		}
	}
}

// raceDeleteUserSessions creates sessionsPerRace sessions of alice, then
// runs DeleteUserSessions(alice) while change is applied to all but the
// first, one by one, the last first. DeleteUserSessions deletes in listing
// order (oldest first, then by key), so once the first is gone it has
// listed them all: every change lands between its listing and its delete,
// unless the delete got there first. check runs before the store closes.
func raceDeleteUserSessions(t *testing.T, change func(st *Store, key string, i int), check func(st *Store)) {
	t.Helper()
	ctx := context.Background()
	st := New(Options{CleanupInterval: time.Hour})
	defer st.Close()
	keys := make([]string, sessionsPerRace)
	for i := range keys {
		keys[i] = shardKey(t, i%shardCount)
		rec := &sessions.Record{Meta: sessions.Meta{User: "alice", Expires: time.Now().Add(time.Hour).UnixNano()}}
		if err := st.Create(ctx, keys[i], rec); err != nil {
			t.Fatal(err)
		}
	}
	slices.Sort(keys)
	var wg sync.WaitGroup
	ready := make(chan struct{})
	wg.Go(func() {
		close(ready)
		for {
			if _, found, _ := st.Load(ctx, keys[0]); !found {
				break
			}
			runtime.Gosched()
		}
		for i := len(keys) - 1; i > 0; i-- {
			change(st, keys[i], i)
		}
	})
	<-ready
	if _, err := st.DeleteUserSessions(ctx, "alice", ""); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	check(st)
}

const sessionsPerRace = 200

// TestDeleteUserSessionsRacingRename revokes a user's sessions while a
// request rotates their IDs (Rename with a grace): every session must be
// gone afterwards, whichever way each race went. A session renamed after
// DeleteUserSessions listed it and before it deleted it must not survive
// under its new key (the Delete of the listed key then only ends the
// alias's grace).
func TestDeleteUserSessionsRacingRename(t *testing.T) {
	ctx := context.Background()
	for round := range 10 {
		raceDeleteUserSessions(t, func(st *Store, key string, i int) {
			if err := st.Rename(ctx, key, shardKey(t, i%shardCount), time.Minute); err != nil && !errors.Is(err, sessions.ErrNotFound) {
				t.Error(err)
			}
		}, func(st *Store) {
			list, err := st.UserSessions(ctx, "alice")
			if err != nil {
				t.Fatal(err)
			}
			if len(list) != 0 {
				t.Fatalf("round %d: %d of alice's %d sessions survived DeleteUserSessions (renamed while it ran); first: %s…",
					round, len(list), sessionsPerRace, list[0].Key[:8])
			}
		})
	}
}

// TestDeleteUserSessionsRacingUserChange revokes alice's sessions while
// commits give some of them to bob (a login on a shared device): a session
// that is bob's by the time DeleteUserSessions reaches it was listed as
// alice's, but must not be deleted, since it deletes only records that are
// still the user's.
func TestDeleteUserSessionsRacingUserChange(t *testing.T) {
	ctx := context.Background()
	for round := range 10 {
		var bobs []string // written by change, read by check after the race
		raceDeleteUserSessions(t, func(st *Store, key string, _ int) {
			d := &sessions.Delta{Meta: &sessions.Meta{User: "bob"}, MetaFields: sessions.MetaUser}
			if err := st.Commit(ctx, key, d); err == nil {
				bobs = append(bobs, key)
			} else if !errors.Is(err, sessions.ErrNotFound) {
				t.Error(err)
			}
		}, func(st *Store) {
			lost := 0
			for _, k := range bobs {
				if _, found, _ := st.Load(ctx, k); !found {
					lost++
				}
			}
			if lost > 0 {
				t.Fatalf("round %d: %d of the %d sessions given to bob were deleted by DeleteUserSessions(alice)", round, lost, len(bobs))
			}
		})
	}
}
