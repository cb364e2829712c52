package redis

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sessionkit/sessions/stores/redis/redistest"
	"github.com/sessionkit/sessions/storetest"
)

// TestCountLiveSessions checks that Count counts the live session hashes
// under the store's prefix and nothing else, in both protocols on one node
// and on a three-primary cluster: not a grace alias (Load reaches a
// session through it), not a retired key's marker (Rename without grace),
// not a ghost of values only, not a user's index key, not a hash of
// another Redis type or shape, not a record of an unknown format version,
// not a deleted or expired session, and not the sessions of a store whose
// prefix the glob characters in this store's prefix would match.
func TestCountLiveSessions(t *testing.T) {
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			countLiveSessions(t, sharedClient(t), p.o)
		})
	}
	t.Run("Cluster", func(t *testing.T) {
		cl := redistest.StartCluster(t, 3)
		countLiveSessions(t, clusterClient(t, cl), Options{})
	})
}

func countLiveSessions(t *testing.T, c redis.UniversalClient, o Options) {
	ctx := t.Context()
	base := testPrefix(t)
	// A glob character in the prefix is literal: "x*:" must not match the
	// keys of the store under "xy:".
	o.Prefix = base + "x*:"
	s := newTestStore(t, c, o)
	other := newTestStore(t, c, Options{Prefix: base + "xy:", Cluster: o.Cluster})
	otherKey := storetest.NewKey(t)
	if err := other.Create(ctx, otherKey, storetest.NewRecord(time.Hour, "n", 1)); err != nil {
		t.Fatal(err)
	}
	count := func(want int, after string) {
		t.Helper()
		n, err := s.Count(ctx)
		if err != nil || n != want {
			t.Fatalf("after %s: Count = %d, %v; want %d, nil", after, n, err, want)
		}
	}
	count(0, "nothing")

	// Enough sessions for SCAN to take several calls per node.
	const n = 150
	var keys []string
	for i := range n {
		key := storetest.NewKey(t)
		rec := storetest.NewRecord(time.Hour, "n", i)
		if i%3 == 0 {
			rec.User = "alice"
		}
		if i%3 == 1 {
			rec.User = "bob"
		}
		if err := s.Create(ctx, key, rec); err != nil {
			t.Fatal(err)
		}
		keys = append(keys, key)
	}
	count(n, "creating sessions")

	// Grace aliases, and retired-key markers.
	for i, grace := range []time.Duration{time.Minute, time.Minute, 0, 0} {
		renamed := storetest.NewKey(t)
		if err := s.Rename(ctx, keys[i], renamed, grace); err != nil {
			t.Fatal(err)
		}
		if n, _ := c.Exists(ctx, s.hashKey(keys[i])).Result(); n != 1 {
			t.Fatalf("no alias or marker under the old key of rename %d; the test needs one", i)
		}
		keys[i] = renamed
	}
	count(n, "renames with and without grace")

	// A ghost: values without a record (see isGhost).
	ghost := s.hashKey(storetest.NewKey(t))
	if err := c.HSet(ctx, ghost, valuePrefix+"n", "1").Err(); err != nil {
		t.Fatal(err)
	}
	// A record of an unknown format version, which Load refuses.
	corrupt := storetest.NewKey(t)
	if err := s.Create(ctx, corrupt, storetest.NewRecord(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := c.HSet(ctx, s.hashKey(corrupt), fVersion, "2").Err(); err != nil {
		t.Fatal(err)
	}
	// Keys of other shapes under the prefix: a string where a hash would
	// be, and a hash whose braces hold no store key.
	if err := c.Set(ctx, s.hashKey(storetest.NewKey(t)), "x", time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	if err := c.HSet(ctx, s.prefix+"{notakey}", fVersion, formatVersion, fCreated, "1").Err(); err != nil {
		t.Fatal(err)
	}
	// An expired session (Redis drops it at once) and a deleted one.
	if err := s.Create(ctx, storetest.NewKey(t), storetest.NewRecord(-time.Minute, "n", 1)); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, keys[n-1]); err != nil {
		t.Fatal(err)
	}
	for _, user := range []string{"alice", "bob"} {
		if n, err := c.Exists(ctx, s.indexKey(user)).Result(); n != 1 {
			t.Fatalf("no index key for %s (%v); the test needs one", user, err)
		}
	}
	count(n-1, "aliases, markers, a ghost, a corrupt record, other keys and a delete")

	// A record whose own deadline has passed while Redis still holds it.
	stale := storetest.NewKey(t)
	if err := s.Create(ctx, stale, storetest.NewRecord(time.Hour)); err != nil {
		t.Fatal(err)
	}
	past := time.Now().Add(-time.Second).UnixNano()
	if err := c.HSet(ctx, s.hashKey(stale), fExpires, past).Err(); err != nil {
		t.Fatal(err)
	}
	count(n-1, "a record past its deadline")

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.Count(cctx); err == nil {
		t.Errorf("Count with a canceled context = nil error")
	}
}
