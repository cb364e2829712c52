package redis

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/redis/redistest"
	"github.com/sessionkit/sessions/storetest"
)

// keyInSlot returns a fresh store key whose session hash lives in slot.
func keyInSlot(t *testing.T, s *Store, slot int) string {
	t.Helper()
	var b [32]byte
	rand.Read(b[:])
	for i := uint32(0); ; i++ { // a random key, then the next ones
		binary.BigEndian.PutUint32(b[28:], i)
		k := hex.EncodeToString(b[:])
		if redistest.Slot(s.hashKey(k)) == slot {
			return k
		}
	}
}

// userInSlot returns a user name, starting with base, whose index lives in
// slot.
func userInSlot(s *Store, base string, slot int) string {
	for i := 0; ; i++ {
		u := fmt.Sprintf("%s-%d", base, i)
		if redistest.Slot(s.indexKey(u)) == slot {
			return u
		}
	}
}

// otherPrimary returns a primary of cl that does not own slot.
func otherPrimary(t *testing.T, cl *redistest.Cluster, slot int) string {
	t.Helper()
	owner := cl.Owner(t, slot)
	for _, a := range cl.Addrs() {
		if a != owner {
			return a
		}
	}
	t.Fatalf("no primary but %s", owner)
	return ""
}

// testScriptsOnMigratingSlot runs each operation whose script deletes or
// empties a key and writes it again (the cluster-safe Rename's retire, a
// Create over a retired key's marker, the user index losing its last
// entry) while the key's slot is MIGRATING and the key still on the source
// node. There Redis refuses a script's command on a key that is missing
// ("Script attempted to access a non local key in a cluster node"), and
// does not undo what the script did before: the operation must still
// complete, and leave the session as it would on a stable cluster.
func testScriptsOnMigratingSlot(t *testing.T, cl *redistest.Cluster, c *redis.ClusterClient) {
	tests := []struct {
		name string
		// setup prepares the keys in slot and returns the operation to
		// run while slot migrates, and the check to run after it has
		// moved.
		setup func(t *testing.T, s *Store, slot int) (op func() error, check func())
	}{
		{"RenameWithGrace", func(t *testing.T, s *Store, slot int) (func() error, func()) {
			ctx := t.Context()
			oldKey, newKey := keyInSlot(t, s, slot), storetest.NewKey(t)
			rec := storetest.NewRecord(time.Hour, "cart", "3 items")
			rec.User = "alice"
			if err := s.Create(ctx, oldKey, rec); err != nil {
				t.Fatal(err)
			}
			return func() error { return s.Rename(ctx, oldKey, newKey, time.Minute) }, func() {
				for _, k := range []string{newKey, oldKey} {
					got, found, err := s.Load(ctx, k)
					if err != nil || !found {
						t.Fatalf("Load(%s) after the rename = %v, %v; want the session", short(k), found, err)
					}
					if v, _ := got.Lookup("cart"); v != "3 items" || got.User != "alice" {
						t.Errorf("Load(%s) = %+v, want the renamed session", short(k), got)
					}
				}
				infos, err := s.UserSessions(ctx, "alice")
				if err != nil || len(infos) != 1 || infos[0].Key != newKey {
					t.Errorf("UserSessions after the rename = %+v, %v; want only the new key", infos, err)
				}
			}
		}},
		{"RenameWithoutGrace", func(t *testing.T, s *Store, slot int) (func() error, func()) {
			ctx := t.Context()
			oldKey, newKey := keyInSlot(t, s, slot), storetest.NewKey(t)
			if err := s.Create(ctx, oldKey, storetest.NewRecord(time.Hour, "n", 7)); err != nil {
				t.Fatal(err)
			}
			return func() error { return s.Rename(ctx, oldKey, newKey, 0) }, func() {
				if got, found, err := s.Load(ctx, newKey); err != nil || !found || len(got.Fields) != 1 {
					t.Fatalf("Load(new) after the rename = %+v, %v, %v; want the session", got, found, err)
				}
				if _, found, err := s.Load(ctx, oldKey); err != nil || found {
					t.Errorf("Load(old) after a rename without grace = %v, %v; want not found", found, err)
				}
				// The marker is in place, alone, for a retried retire to find.
				h := s.hashKey(oldKey)
				if got := c.HGetAll(ctx, h).Val(); len(got) != 1 || got[fRetiredTo] != newKey {
					t.Errorf("old key after a rename without grace = %v, want only %s=%s", got, fRetiredTo, short(newKey))
				}
				if ttl := c.PTTL(ctx, h).Val(); ttl <= 0 || ttl > retiredTTL {
					t.Errorf("marker TTL = %v, want at most %v", ttl, retiredTTL)
				}
			}
		}},
		{"CreateOverMarker", func(t *testing.T, s *Store, slot int) (func() error, func()) {
			ctx := t.Context()
			k := keyInSlot(t, s, slot)
			if err := s.Create(ctx, k, storetest.NewRecord(time.Hour)); err != nil {
				t.Fatal(err)
			}
			if err := s.Rename(ctx, k, storetest.NewKey(t), 0); err != nil {
				t.Fatal(err)
			}
			rec := storetest.NewRecord(time.Hour, "fresh", true)
			return func() error { return s.Create(ctx, k, rec) }, func() {
				got, found, err := s.Load(ctx, k)
				if err != nil || !found {
					t.Fatalf("Load after Create over a marker = %v, %v", found, err)
				}
				if v, _ := got.Lookup("fresh"); v != true || len(got.Fields) != 1 {
					t.Errorf("Load after Create over a marker = %+v", got)
				}
				if ttl := c.PTTL(ctx, s.hashKey(k)).Val(); ttl < 59*time.Minute {
					t.Errorf("TTL after Create over a marker = %v, want the record's hour", ttl)
				}
				if c.HExists(ctx, s.hashKey(k), fRetiredTo).Val() {
					t.Errorf("the marker field survived the Create")
				}
			}
		}},
		{"UserSessionsDropsLastEntry", func(t *testing.T, s *Store, slot int) (func() error, func()) {
			ctx := t.Context()
			user := userInSlot(s, "bob", slot)
			k := storetest.NewKey(t)
			rec := storetest.NewRecord(time.Hour)
			rec.User = user
			if err := s.Create(ctx, k, rec); err != nil {
				t.Fatal(err)
			}
			if err := s.Delete(ctx, k); err != nil { // the entry is stale now
				t.Fatal(err)
			}
			return func() error {
					infos, err := s.UserSessions(ctx, user)
					if err == nil && len(infos) != 0 {
						t.Errorf("UserSessions = %+v, want none", infos)
					}
					return err
				}, func() {
					if n := c.Exists(ctx, s.indexKey(user)).Val(); n != 0 {
						t.Errorf("the index of a user without sessions still exists")
					}
				}
		}},
		{"DeleteUserSessionsEmptiesIndex", func(t *testing.T, s *Store, slot int) (func() error, func()) {
			ctx := t.Context()
			user := userInSlot(s, "carol", slot)
			var keys []string
			for range 2 {
				k := storetest.NewKey(t)
				rec := storetest.NewRecord(time.Hour)
				rec.User = user
				if err := s.Create(ctx, k, rec); err != nil {
					t.Fatal(err)
				}
				keys = append(keys, k)
			}
			return func() error {
					n, err := s.DeleteUserSessions(ctx, user, "")
					if err == nil && n != 2 {
						t.Errorf("DeleteUserSessions = %d, want 2", n)
					}
					return err
				}, func() {
					for _, k := range keys {
						if _, found, err := s.Load(ctx, k); err != nil || found {
							t.Errorf("Load(%s) after DeleteUserSessions = %v, %v", short(k), found, err)
						}
					}
					if infos, err := s.UserSessions(ctx, user); err != nil || len(infos) != 0 {
						t.Errorf("UserSessions after DeleteUserSessions = %+v, %v", infos, err)
					}
				}
		}},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestStore(t, c, Options{})
			slot := 1000 + 1000*i // one slot per case, spread over the primaries
			op, check := tc.setup(t, s, slot)
			m := cl.BeginMigration(t, slot, otherPrimary(t, cl, slot))
			err := op()
			m.Finish()
			if err != nil {
				t.Errorf("%s while its slot migrates: %v", tc.name, err)
			}
			check()
		})
	}
}

// TestClusterReshard runs the store on a Redis Cluster whose slots move
// between primaries, and whose primaries fail over to replicas, while it
// serves requests.
func TestClusterReshard(t *testing.T) {
	t.Parallel()
	cl := redistest.StartCluster(t, 2)
	c := clusterClient(t, cl)
	// The tests place keys by redistest.Slot: it must agree with Redis.
	for _, k := range []string{"", "a", "{user1000}.following", "foo{}{bar}", "{}x", storetest.NewKey(t), "sess:{" + storetest.NewKey(t) + "}"} {
		if want := c.ClusterKeySlot(t.Context(), k).Val(); int64(redistest.Slot(k)) != want {
			t.Fatalf("redistest.Slot(%q) = %d, CLUSTER KEYSLOT says %d", k, redistest.Slot(k), want)
		}
	}
	t.Run("ScriptsOnMigratingSlot", func(t *testing.T) { testScriptsOnMigratingSlot(t, cl, c) })
	t.Run("TrafficDuringReshardAndFailover", func(t *testing.T) { testTrafficDuringReshard(t, cl, c) })
}

// sessionModel is what one worker of testTrafficDuringReshard knows its
// session holds: it alone writes it, so every read must match exactly.
type sessionModel struct {
	key, user string
	n         int            // the counter "n"
	fields    map[string]int // every other value
}

// testTrafficDuringReshard moves the slot of a few sessions, their users'
// indexes and their rename targets from one primary to another while
// workers keep using them, then fails the new owner over to its replica,
// still under traffic. Each worker owns one session and runs, in turn,
// Increment, values-only commits (HSET, and HDEL+HSET in MULTI/EXEC),
// commits with metadata (which also update the user index), Load,
// UserSessions, Rename with a grace followed by a commit through the old
// key, and Delete or DeleteUserSessions followed by a new Create. The
// workers use two stores: one on the test's cluster client, one from
// NewFromURL.
// Every result is checked against the worker's model: no write that
// reported success is lost or applied twice, the counter never skips or
// repeats, a session never disappears or shows another's data, and the
// only errors allowed are ErrStoreUnavailable, after which the worker reads
// its session back and accepts either outcome of the failed write.
func testTrafficDuringReshard(t *testing.T, cl *redistest.Cluster, c *redis.ClusterClient) {
	ctx := t.Context()
	const slot = 9000
	dest := otherPrimary(t, cl, slot)
	// Added first, so that it is killed last, after the stores' clean-ups
	// that need it; with it the cluster loses dest's slots, so this must be
	// the last subtest on cl.
	replica := cl.AddReplica(t, dest)

	// Half the workers use a store on the test's client, half one that
	// NewFromURL made, with its fail-fast client options.
	prefix := testPrefix(t)
	fromURL, err := NewFromURL("redis+cluster://" + strings.Join(cl.Addrs(), ",") + "?key_prefix=" + prefix)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fromURL.Close(); deletePrefix(t, c, prefix) })
	// The first store's tiny IndexSlack makes every commit that moves the
	// expiry update the user index too.
	stores := []*Store{newTestStore(t, c, Options{IndexSlack: time.Millisecond}), fromURL}

	var (
		stop       = make(chan struct{})
		phase      atomic.Int32 // 0 before, 1 migrating, 2 moved, 3 failed over
		opsInPhase [4]atomic.Int64
		transient  atomic.Int64
		wg         sync.WaitGroup
	)
	halt := sync.OnceFunc(func() { close(stop); wg.Wait() })
	t.Cleanup(halt) // should the test stop early
	const workers = 4
	models := make([]*sessionModel, workers)
	for w := range workers {
		s := stores[w%len(stores)]
		m := &sessionModel{user: userInSlot(s, fmt.Sprintf("worker%d", w), slot)}
		models[w] = m
		create := func() {
			m.key, m.n, m.fields = keyInSlot(t, s, slot), 0, map[string]int{}
			rec := storetest.NewRecord(time.Hour, "n", 0)
			rec.User = m.user
			for {
				err := s.Create(ctx, m.key, rec)
				if err == nil || errors.Is(err, sessions.ErrExists) && m.loadMatches(t, s) {
					return
				}
				if !errors.Is(err, sessions.ErrStoreUnavailable) {
					t.Errorf("worker %d: Create: %v", w, err)
					return
				}
				transient.Add(1)
			}
		}
		create()
		wg.Add(1)
		go func() {
			defer wg.Done()
			// fail reports an error that is not a store outage; an outage
			// makes the worker read its session back (resync) instead.
			fail := func(op string, err error) bool {
				if err == nil {
					return false
				}
				if errors.Is(err, sessions.ErrStoreUnavailable) {
					transient.Add(1)
					t.Logf("worker %d: %s during phase %d: %v", w, op, phase.Load(), err)
					return true
				}
				t.Errorf("worker %d: %s during phase %d: %v, want success or ErrStoreUnavailable", w, op, phase.Load(), err)
				return true
			}
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if t.Failed() {
					return
				}
				opsInPhase[phase.Load()].Add(1)
				name := fmt.Sprintf("f%d", i)
				switch i % 8 {
				case 0: // Increment
					got, err := s.Increment(ctx, m.key, "n", 1)
					if fail("Increment", err) {
						m.resync(t, s, w, map[string]bool{"n": true})
						continue
					}
					if got != int64(m.n+1) {
						t.Errorf("worker %d: Increment = %d, want %d", w, got, m.n+1)
					}
					m.n = int(got)
				case 1: // values only: one HSET
					err := s.Commit(ctx, m.key, &sessions.Delta{Set: []sessions.Field{{Key: name, Value: i}}})
					if fail("Commit(values)", err) {
						m.resync(t, s, w, map[string]bool{name: true})
						continue
					}
					m.fields[name] = i
				case 2: // values only: HDEL and HSET in MULTI/EXEC
					var del string
					for k := range m.fields {
						del = k
						break
					}
					d := &sessions.Delta{Set: []sessions.Field{{Key: name, Value: i}}}
					if del != "" {
						d.Del = []string{del}
					}
					if fail("Commit(set+del)", s.Commit(ctx, m.key, d)) {
						m.resync(t, s, w, map[string]bool{name: true, del: true})
						continue
					}
					delete(m.fields, del)
					m.fields[name] = i
				case 3: // metadata and a value: the script
					now := time.Now()
					d := &sessions.Delta{
						Set:        []sessions.Field{{Key: name, Value: i}},
						Meta:       &sessions.Meta{User: m.user, LastSeen: now.UnixNano(), Expires: now.Add(time.Hour).UnixNano()},
						MetaFields: sessions.MetaLastSeen | sessions.MetaExpires,
					}
					if fail("Commit(meta)", s.Commit(ctx, m.key, d)) {
						m.resync(t, s, w, map[string]bool{name: true})
						continue
					}
					m.fields[name] = i
				case 4:
					m.loadMatches(t, s)
				case 5:
					infos, err := s.UserSessions(ctx, m.user)
					if fail("UserSessions", err) {
						continue
					}
					if len(infos) != 1 || infos[0].Key != m.key || infos[0].User != m.user {
						t.Errorf("worker %d: UserSessions(%s) = %+v, want only %s", w, m.user, infos, short(m.key))
					}
				case 6: // Rename with a grace, then a commit through the old key
					oldKey, newKey := m.key, keyInSlot(t, s, slot)
					if fail("Rename", s.Rename(ctx, oldKey, newKey, time.Minute)) {
						if _, found, err := s.Load(ctx, newKey); err == nil && found {
							m.key = newKey
						}
						m.resync(t, s, w, nil)
						continue
					}
					m.key = newKey
					err := s.Commit(ctx, oldKey, &sessions.Delta{Set: []sessions.Field{{Key: name, Value: i}}})
					if fail("Commit through the grace alias", err) {
						m.resync(t, s, w, map[string]bool{name: true})
						continue
					}
					m.fields[name] = i
				case 7: // Delete or DeleteUserSessions, then a new session, every third time
					if i%3 != 0 {
						continue
					}
					if i/8%2 == 0 {
						if fail("Delete", s.Delete(ctx, m.key)) {
							i-- // Delete is safe to run again
							continue
						}
					} else {
						n, err := s.DeleteUserSessions(ctx, m.user, "")
						if fail("DeleteUserSessions", err) {
							i-- // and so is DeleteUserSessions
							continue
						}
						if n != 1 {
							t.Errorf("worker %d: DeleteUserSessions = %d, want 1", w, n)
						}
					}
					if _, found, err := s.Load(ctx, m.key); !fail("Load after Delete", err) && found {
						t.Errorf("worker %d: session %s found after Delete", w, short(m.key))
					}
					err := s.Commit(ctx, m.key, &sessions.Delta{Set: []sessions.Field{{Key: name, Value: i}}})
					if !errors.Is(err, sessions.ErrNotFound) && !errors.Is(err, sessions.ErrStoreUnavailable) {
						t.Errorf("worker %d: Commit after Delete: %v, want ErrNotFound", w, err)
					}
					create()
				}
			}
		}()
	}

	// Each phase lasts until the workers have run a few dozen operations in
	// it, however slow the machine.
	waitOps := func(p int32, n int64) {
		deadline := time.Now().Add(5 * time.Second)
		for opsInPhase[p].Load() < n && !t.Failed() && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
	}
	waitOps(0, 40)
	phase.Store(1)
	src := redis.NewClient(&redis.Options{Addr: cl.Owner(t, slot)})
	defer src.Close()
	src.ConfigResetStat(ctx)
	mig := cl.BeginMigration(t, slot, dest)
	for mig.MoveKeys(1) > 0 {
		time.Sleep(10 * time.Millisecond)
	}
	waitOps(1, opsInPhase[1].Load()+40) // all moved, the slot still migrating
	// The source node answered ASK for keys it had handed over, and the
	// client followed.
	stats := src.Info(ctx, "errorstats").Val()
	mig.Finish()
	phase.Store(2)
	if !strings.Contains(stats, "errorstat_ASK:") {
		t.Errorf("the source node never answered ASK during the migration:\n%s", stats)
	}
	t.Logf("source node's error replies during the migration:\n%s", strings.TrimSpace(stats))
	waitOps(2, 40)
	cl.Failover(t, replica)
	phase.Store(3)
	waitOps(3, 40)
	halt()

	for w, m := range models {
		s := stores[w%len(stores)]
		m.loadMatches(t, s)
		infos, err := s.UserSessions(ctx, m.user)
		if err != nil || len(infos) != 1 || infos[0].Key != m.key {
			t.Errorf("worker %d: final UserSessions = %+v, %v; want only %s", w, infos, err, short(m.key))
		}
	}
	// No values-only commit on a deleted session left a ghost behind.
	for _, s := range stores {
		for _, k := range keysWithPrefix(t, c, s.prefix) {
			if c.Type(ctx, k).Val() != "hash" {
				continue // a user index
			}
			if h := c.HGetAll(ctx, k).Val(); isGhost(h) {
				t.Errorf("ghost left at %s: %v", k, h)
			}
		}
	}
	if owner := cl.Owner(t, slot); owner != replica.Addr() {
		t.Errorf("slot %d owned by %s after the failover, want %s", slot, owner, replica.Addr())
	}
	var ops [4]int64
	for i := range ops {
		ops[i] = opsInPhase[i].Load()
	}
	t.Logf("operations before, during the migration, after it, after the failover: %v; %d failed with ErrStoreUnavailable", ops, transient.Load())
	if ops[1] == 0 || ops[3] == 0 {
		t.Errorf("no traffic during the migration or after the failover: %v", ops)
	}
}

// loadMatches loads m's session and reports whether it holds exactly what
// m expects, failing t if not.
func (m *sessionModel) loadMatches(t *testing.T, s *Store) bool {
	t.Helper()
	for {
		rec, found, err := s.Load(t.Context(), m.key)
		if errors.Is(err, sessions.ErrStoreUnavailable) {
			continue
		}
		if err != nil || !found {
			t.Errorf("Load(%s) = %v, %v; want %s's session", short(m.key), found, err, m.user)
			return false
		}
		got := m.decode(rec)
		want := map[string]int{"n": m.n}
		maps.Copy(want, m.fields)
		if !maps.Equal(got, want) || rec.User != m.user {
			t.Errorf("Load(%s) = user %q %v, want user %q %v", short(m.key), rec.User, got, m.user, want)
			return false
		}
		return true
	}
}

func (m *sessionModel) decode(rec *sessions.Record) map[string]int {
	got := map[string]int{}
	for _, f := range rec.Fields {
		v, _ := f.Value.(int)
		got[f.Key] = v
	}
	return got
}

// resync reads m's session back after a write failed with
// ErrStoreUnavailable, which may or may not have landed: the fields in
// uncertain may hold the old or the new value (the counter one more), every
// other field must be as m expects.
func (m *sessionModel) resync(t *testing.T, s *Store, w int, uncertain map[string]bool) {
	t.Helper()
	for {
		rec, found, err := s.Load(t.Context(), m.key)
		if errors.Is(err, sessions.ErrStoreUnavailable) {
			continue
		}
		if err != nil || !found || rec.User != m.user {
			t.Errorf("worker %d: Load(%s) after an outage = %+v, %v, %v; want %s's session", w, short(m.key), rec, found, err, m.user)
			return
		}
		got := m.decode(rec)
		if n := got["n"]; n != m.n && !(uncertain["n"] && n == m.n+1) {
			t.Errorf("worker %d: n = %d after an outage, want %d", w, n, m.n)
		}
		m.n = got["n"]
		delete(got, "n")
		for k := range uncertain {
			delete(m.fields, k)
			if v, ok := got[k]; ok {
				m.fields[k] = v
			}
		}
		if !maps.Equal(got, m.fields) {
			t.Errorf("worker %d: fields after an outage = %v, want %v", w, got, m.fields)
		}
		m.fields = got
		return
	}
}
