package memory

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// stressShards is how many shards the sweep stress test uses: few, so the
// workers and the sweep meet in every shard.
const stressShards = 4

type modelRec struct {
	n, c int
	user string
}

// TestSweepStress runs Cleanup in a loop, with a filler that keeps shards
// full of expired records (so shards are rebuilt as well as swept in
// batches), while workers create, commit, increment, rename (same shard
// and cross-shard, with and without grace, RenameCommit), delete, expire
// and log out their own user's sessions, each checking after every step
// that the store agrees with its own model: live sessions with their last
// values, deleted and expired ones gone, aliases leading to the renamed
// session, and the user's listing exact. Afterwards the count, the maps and
// the user index must agree.
func TestSweepStress(t *testing.T) {
	var now atomic.Int64
	now.Store(time.Unix(1_800_000_000, 0).UnixNano())
	st := New(Options{CleanupInterval: time.Hour, Now: func() time.Time { return time.Unix(0, now.Load()) }})
	defer st.Close()
	ctx := context.Background()
	stop := make(chan struct{})
	var bg sync.WaitGroup
	bg.Go(func() { // the sweep, after filling the shards with expired records
		for round := 0; ; round++ {
			select {
			case <-stop:
				return
			default:
			}
			fill := 200
			if round%3 == 2 {
				fill = 20 // batch deletes
			}
			for i := range fill * stressShards {
				user := ""
				if i%2 == 0 {
					// Distinct users, so that the sweep also rebuilds
					// the user index while the workers index theirs.
					user = fmt.Sprintf("filler-%d", i)
				}
				rec := &sessions.Record{Meta: sessions.Meta{User: user, Expires: now.Load() - 1}}
				if err := st.Create(ctx, shardKey(t, i%stressShards), rec); err != nil {
					t.Error(err)
					return
				}
			}
			st.Cleanup()
			now.Add(int64(time.Microsecond))
		}
	})

	const workers = 4
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() { stressWorker(t, st, &now, w, 3000) })
	}
	wg.Wait()
	close(stop)
	bg.Wait()
	st.Cleanup()
	checkStore(t, st)
}

func stressWorker(t *testing.T, st *Store, now *atomic.Int64, w, steps int) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(uint64(w), uint64(time.Now().UnixNano())))
	user := fmt.Sprintf("user%d", w)
	model := map[string]*modelRec{}
	aliases := map[string]string{} // old key -> new key, within grace
	gone := []string{}             // keys deleted, expired or renamed away without grace
	reusable := []string{}         // keys deleted or expired that no alias ever led to
	targets := map[string]bool{}   // keys an alias led to
	type shortAlias struct {
		key   string
		until int64
	}
	var short []shortAlias // aliases with a short grace
	takeReusable := func() string {
		if len(reusable) == 0 {
			return ""
		}
		i := rng.IntN(len(reusable))
		k := reusable[i]
		reusable = slices.Delete(reusable, i, i+1)
		gone = slices.DeleteFunc(gone, func(g string) bool { return g == k })
		return k
	}
	newKey := func() string { return shardKey(t, rng.IntN(stressShards)) }
	pick := func() string {
		if len(model) == 0 {
			return ""
		}
		i := rng.IntN(len(model))
		for k := range model {
			if i == 0 {
				return k
			}
			i--
		}
		return ""
	}
	dropAliasesTo := func(k string) {
		for a, to := range aliases {
			if to == k {
				delete(aliases, a)
				gone = append(gone, a)
			}
		}
	}
	// forget records that the session under k is gone (deleted or
	// expired), with the aliases that led to it.
	forget := func(k string) {
		delete(model, k)
		dropAliasesTo(k)
		gone = append(gone, k)
		if !targets[k] {
			reusable = append(reusable, k)
		}
	}
	live := func() int64 { return now.Load() + int64(time.Hour) }
	for step := range steps {
		var op string
		switch r := rng.IntN(100); {
		case r < 20 || len(model) < 3:
			op = "create"
			k := newKey()
			if rng.IntN(2) == 0 {
				if r := takeReusable(); r != "" {
					k, op = r, "recreate"
				}
			}
			u := ""
			if rng.IntN(4) != 0 {
				u = user
			}
			rec := &sessions.Record{Meta: sessions.Meta{Created: int64(step), User: u, Expires: live()}}
			rec.SetField("n", 0)
			if err := st.Create(ctx, k, rec); err != nil {
				t.Errorf("worker %d step %d: Create: %v", w, step, err)
				return
			}
			model[k] = &modelRec{user: u}
		case r < 40:
			op = "commit"
			k := pick()
			m := model[k]
			m.n++
			d := &sessions.Delta{Set: []sessions.Field{{Key: "n", Value: m.n}}, Meta: &sessions.Meta{LastSeen: int64(step), Expires: live()}, MetaFields: sessions.MetaLastSeen | sessions.MetaExpires}
			if rng.IntN(5) == 0 {
				// Switch between the user and anonymous.
				if m.user == "" {
					m.user = user
				} else {
					m.user = ""
				}
				d.Meta.User = m.user
				d.MetaFields |= sessions.MetaUser
			}
			if err := st.Commit(ctx, k, d); err != nil {
				t.Errorf("worker %d step %d: Commit: %v", w, step, err)
				return
			}
		case r < 50:
			op = "increment"
			k := pick()
			m := model[k]
			m.c++
			got, err := st.Increment(ctx, k, "c", 1)
			if err != nil || got != int64(m.c) {
				t.Errorf("worker %d step %d: Increment = %d, %v; want %d", w, step, got, err, m.c)
				return
			}
		case r < 70:
			op = "rename"
			from, to := pick(), newKey()
			if rng.IntN(3) == 0 {
				if r := takeReusable(); r != "" {
					to, op = r, "rename onto a reused key"
				}
			}
			m := model[from]
			var grace time.Duration
			switch rng.IntN(3) {
			case 0:
				grace = time.Hour
			case 1:
				grace = time.Duration(rng.IntN(20)+1) * time.Microsecond
			}
			var err error
			if rng.IntN(2) == 0 {
				err = st.Rename(ctx, from, to, grace)
			} else {
				m.n++
				d := &sessions.Delta{Set: []sessions.Field{{Key: "n", Value: m.n}}}
				if rng.IntN(4) == 0 {
					if m.user == "" {
						m.user = user
					} else {
						m.user = ""
					}
					d.Meta, d.MetaFields = &sessions.Meta{User: m.user}, sessions.MetaUser
				}
				err = st.RenameCommit(ctx, from, to, grace, d)
			}
			if err != nil {
				t.Errorf("worker %d step %d: Rename: %v", w, step, err)
				return
			}
			delete(model, from)
			model[to] = m
			dropAliasesTo(from)
			switch {
			case grace == time.Hour:
				aliases[from] = to
				targets[to] = true
			case grace > 0:
				short = append(short, shortAlias{from, now.Load() + int64(grace)})
				targets[to] = true
			default:
				gone = append(gone, from)
			}
		case r < 78:
			op = "delete"
			k := pick()
			if err := st.Delete(ctx, k); err != nil {
				t.Errorf("worker %d step %d: Delete: %v", w, step, err)
				return
			}
			forget(k)
		case r < 88:
			op = "expire"
			k := pick()
			d := &sessions.Delta{Meta: &sessions.Meta{Expires: now.Load() - 1}, MetaFields: sessions.MetaExpires}
			if err := st.Commit(ctx, k, d); err != nil {
				t.Errorf("worker %d step %d: Commit (expire): %v", w, step, err)
				return
			}
			forget(k)
		case r < 92:
			op = "logout"
			want := 0
			for k, m := range model {
				if m.user == user {
					want++
					delete(model, k)
					dropAliasesTo(k)
					gone = append(gone, k)
				}
			}
			n, err := st.DeleteUserSessions(ctx, user, "")
			if err != nil || n != want {
				t.Errorf("worker %d step %d: DeleteUserSessions = %d, %v; want %d", w, step, n, err, want)
				return
			}
		default:
			op = "check"
		}
		// Aliases whose short grace has ended are gone; their keys can be
		// used again.
		short = slices.DeleteFunc(short, func(a shortAlias) bool {
			if now.Load() > a.until {
				gone = append(gone, a.key)
				if !targets[a.key] {
					reusable = append(reusable, a.key)
				}
				return true
			}
			return false
		})
		if !checkModel(t, st, w, step, op, user, model, aliases, gone) {
			return
		}
		if len(gone) > 64 {
			gone = gone[len(gone)-64:]
		}
	}
}

func checkModel(t *testing.T, st *Store, w, step int, op, user string, model map[string]*modelRec, aliases map[string]string, gone []string) bool {
	ctx := context.Background()
	check := func(k string, m *modelRec, via string) bool {
		rec, found, err := st.Load(ctx, via)
		if err != nil || !found {
			t.Errorf("worker %d step %d after %s: Load(%s…) of a live session (at %s…): found=%v err=%v", w, step, op, via[:8], k[:8], found, err)
			return false
		}
		n, _ := rec.Lookup("n")
		c, _ := rec.Lookup("c")
		if c == nil {
			c = 0
		}
		if n != m.n || c != m.c || rec.User != m.user {
			t.Errorf("worker %d step %d after %s: Load(%s…) = n %v c %v user %q, want n %d c %d user %q", w, step, op, via[:8], n, c, rec.User, m.n, m.c, m.user)
			return false
		}
		return true
	}
	for k, m := range model {
		if !check(k, m, k) {
			return false
		}
	}
	for a, k := range aliases {
		if !check(k, model[k], a) {
			return false
		}
	}
	for _, k := range gone {
		if _, found, _ := st.Load(ctx, k); found {
			t.Errorf("worker %d step %d after %s: Load(%s…) found a session that is gone", w, step, op, k[:8])
			return false
		}
	}
	list, err := st.UserSessions(ctx, user)
	if err != nil {
		t.Error(err)
		return false
	}
	var got, want []string
	for _, in := range list {
		got = append(got, in.Key)
	}
	for k, m := range model {
		if m.user == user {
			want = append(want, k)
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("worker %d step %d after %s: UserSessions lists %d sessions, want %d", w, step, op, len(got), len(want))
		return false
	}
	return true
}

// checkStore checks a quiet store: the count is the number of records, every
// record with a user is indexed under it, and no index entry is left
// without its record.
func checkStore(t *testing.T, st *Store) {
	t.Helper()
	total := 0
	st.usersMu.Lock()
	defer st.usersMu.Unlock()
	indexed := 0
	for u, set := range st.users {
		if len(set.keys) == 0 {
			t.Errorf("the user index holds %s with no sessions", u)
		}
		indexed += len(set.keys)
		if set.rebuilding || len(set.dirty) != 0 {
			t.Errorf("the set of keys of %s left rebuilding", u)
		}
	}
	withUser := 0
	for i := range st.shards {
		sh := &st.shards[i]
		sh.mu.RLock()
		total += len(sh.records)
		for k, r := range sh.records {
			if r.User == "" {
				continue
			}
			withUser++
			if _, ok := indexedKeys(st, r.User)[k]; !ok {
				t.Errorf("record %s… of %s is not in the user index", string(k[:8]), r.User)
			}
		}
		if sh.rebuilding || len(sh.dirty) != 0 {
			t.Errorf("shard %d left rebuilding", i)
		}
		sh.mu.RUnlock()
	}
	if st.usersRebuilding || len(st.usersDirty) != 0 {
		t.Error("the user index left rebuilding")
	}
	if indexed != withUser {
		t.Errorf("the user index has %d entries for %d records with a user", indexed, withUser)
	}
	if st.Len() != total {
		t.Errorf("Len() = %d, the shards hold %d records", st.Len(), total)
	}
}

// TestSweepChaos has goroutines share a small pool of keys and users and
// race every operation on them while the clock runs and the cleaner sweeps
// (on its timer and by direct calls). Afterwards the count, the maps and
// the user index must agree.
func TestSweepChaos(t *testing.T) {
	var now atomic.Int64
	now.Store(time.Unix(1_800_000_000, 0).UnixNano())
	st := New(Options{CleanupInterval: 5 * time.Millisecond, MaxEntries: 3500, Now: func() time.Time { return time.Unix(0, now.Load()) }})
	defer st.Close()
	ctx := context.Background()
	keys := make([]string, 4000)
	for i := range keys {
		keys[i] = shardKey(t, i%2)
	}
	users := []string{"", "alice", "bob", "carol"}
	stop := make(chan struct{})
	var bg sync.WaitGroup
	bg.Go(func() {
		for round := 0; ; round++ {
			select {
			case <-stop:
				return
			default:
			}
			time.Sleep(2 * time.Millisecond)
			now.Add(int64(time.Millisecond))
			if round%8 == 7 {
				now.Add(int64(15 * time.Millisecond))
			}
			st.Cleanup()
		}
	})
	var wg sync.WaitGroup
	for w := range 6 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), uint64(time.Now().UnixNano())))
			k := func() string { return keys[rng.IntN(len(keys))] }
			ttl := func() int64 {
				return now.Load() + int64(rng.IntN(20000))*int64(time.Microsecond) - int64(200*time.Microsecond)
			}
			for range 20000 {
				u := users[rng.IntN(len(users))]
				var err error
				switch rng.IntN(100) / 5 {
				case 0, 1, 2, 11, 12, 13, 14, 15, 16, 17:
					err = st.Create(ctx, k(), &sessions.Record{Meta: sessions.Meta{User: u, Expires: ttl()}})
				case 3, 4:
					d := &sessions.Delta{Meta: &sessions.Meta{User: u, Expires: ttl()}, MetaFields: sessions.MetaUser | sessions.MetaExpires}
					err = st.Commit(ctx, k(), d)
				case 5:
					_, err = st.Increment(ctx, k(), "c", 1)
				case 6:
					err = st.Rename(ctx, k(), k(), time.Duration(rng.IntN(3))*100*time.Microsecond)
				case 7:
					d := &sessions.Delta{Meta: &sessions.Meta{User: u}, MetaFields: sessions.MetaUser}
					err = st.RenameCommit(ctx, k(), k(), time.Duration(rng.IntN(3))*100*time.Microsecond, d)
				case 8:
					err = st.Delete(ctx, k())
				case 10:
					if rng.IntN(3) == 0 {
						_, err = st.DeleteUserSessions(ctx, u, k())
					}
				default:
					_, err = st.UserSessions(ctx, u)
				}
				if err != nil && !errors.Is(err, sessions.ErrExists) && !errors.Is(err, sessions.ErrNotFound) && !errors.Is(err, ErrFull) {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	bg.Wait()
	st.stopCleaner()
	st.Cleanup()
	checkStore(t, st)
	// Every user's listing is exactly their live records.
	for _, u := range users[1:] {
		list, err := st.UserSessions(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		want := 0
		for i := range st.shards {
			for _, r := range st.shards[i].records {
				if r.User == u && r.Expires > now.Load() {
					want++
				}
			}
		}
		if len(list) != want {
			t.Errorf("%s: %d sessions listed, %d held", u, len(list), want)
		}
	}
}
