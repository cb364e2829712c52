package redis

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/storetest"
)

// TestCommitValues runs testCommitValues in both protocols against the
// single node at SESSIONS_REDIS_ADDR (TestCluster runs it on a cluster).
func TestCommitValues(t *testing.T) {
	t.Parallel()
	c := sharedClient(t)
	for _, tc := range protocols {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			testCommitValues(t, newTestStore(t, c, tc.o))
		})
	}
}

// testCommitValues drives a values-only Commit (the pipelined round trip)
// at every state a key can be in. Wherever it lands, the outcome must be
// the one the script gives: the values in the live record the key resolves
// to, or the script's error and no hash left behind.
func testCommitValues(t *testing.T, s *Store) {
	ctx := t.Context()
	c := s.c
	create := func(t *testing.T, key string) {
		t.Helper()
		if err := s.Create(ctx, key, storetest.NewRecord(time.Hour, "x", 1)); err != nil {
			t.Fatal(err)
		}
	}
	rename := func(t *testing.T, from, to string, grace time.Duration) {
		t.Helper()
		if err := s.Rename(ctx, from, to, grace); err != nil {
			t.Fatal(err)
		}
	}
	fence := func(t *testing.T, key string, hold time.Duration) {
		t.Helper()
		if err := fenceScript.Run(ctx, c, []string{s.hashKey(key)}, storetest.NewKey(t), hold.Milliseconds()).Err(); err != nil {
			t.Fatal(err)
		}
	}
	hset := func(t *testing.T, key string, kv ...any) {
		t.Helper()
		if err := c.HSet(ctx, s.hashKey(key), kv...).Err(); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name string
		// setup prepares key and returns the key whose record must end up
		// with the delta, or "" when the commit must fail with err.
		setup func(t *testing.T, key string) (into string)
		err   error
		wait  time.Duration // the commit must wait this long at least
	}{
		{name: "live record", setup: func(t *testing.T, key string) string {
			create(t, key)
			return key
		}},
		{name: "never created", setup: func(t *testing.T, key string) string { return "" }, err: sessions.ErrNotFound},
		{name: "destroyed", setup: func(t *testing.T, key string) string {
			create(t, key)
			if err := s.Delete(ctx, key); err != nil {
				t.Fatal(err)
			}
			return ""
		}, err: sessions.ErrNotFound},
		{name: "expired", setup: func(t *testing.T, key string) string {
			create(t, key)
			c.PExpire(ctx, s.hashKey(key), time.Millisecond)
			time.Sleep(5 * time.Millisecond)
			return ""
		}, err: sessions.ErrNotFound},
		{name: "a ghost", setup: func(t *testing.T, key string) string {
			hset(t, key, valuePrefix+"x", "s1")
			return ""
		}, err: sessions.ErrNotFound},
		{name: "renamed within the grace", setup: func(t *testing.T, key string) string {
			create(t, key)
			to := storetest.NewKey(t)
			rename(t, key, to, time.Minute)
			return to
		}},
		{name: "renamed twice within the grace", setup: func(t *testing.T, key string) string {
			create(t, key)
			mid, to := storetest.NewKey(t), storetest.NewKey(t)
			rename(t, key, mid, time.Minute)
			rename(t, mid, to, time.Minute)
			return to
		}},
		{name: "renamed without grace", setup: func(t *testing.T, key string) string {
			create(t, key)
			rename(t, key, storetest.NewKey(t), 0)
			return ""
		}, err: sessions.ErrNotFound},
		{name: "fenced, the fence expired", setup: func(t *testing.T, key string) string {
			create(t, key)
			fence(t, key, time.Millisecond)
			time.Sleep(5 * time.Millisecond)
			return key
		}},
		{name: "fenced, the rename gives up", setup: func(t *testing.T, key string) string {
			create(t, key)
			fence(t, key, time.Minute)
			go func() {
				time.Sleep(100 * time.Millisecond)
				to, _ := c.HGet(context.Background(), s.hashKey(key), fFence).Result()
				unfenceScript.Run(context.Background(), c, []string{s.hashKey(key)}, to)
			}()
			return key
		}, wait: 100 * time.Millisecond},
		{name: "unknown format version", setup: func(t *testing.T, key string) string {
			create(t, key)
			hset(t, key, fVersion, "9")
			return ""
		}, err: sessions.ErrCorrupt},
		{name: "no format version", setup: func(t *testing.T, key string) string {
			create(t, key)
			c.HDel(ctx, s.hashKey(key), fVersion)
			return ""
		}, err: sessions.ErrCorrupt},
	} {
		t.Run(tc.name, func(t *testing.T) {
			key := storetest.NewKey(t)
			into := tc.setup(t, key)
			d := &sessions.Delta{Set: []sessions.Field{{Key: "y", Value: "new"}}, Del: []string{"x"}}
			start := time.Now()
			err := s.Commit(ctx, key, d)
			if took := time.Since(start); took < tc.wait {
				t.Errorf("Commit returned after %v, before the fence was lifted", took)
			}
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("Commit = %v, want %v", err, tc.err)
				}
				// The script path reports the same error.
				general := &sessions.Delta{Clear: true, Set: d.Set}
				if serr := s.Commit(ctx, key, general); serr == nil || serr.Error() != err.Error() {
					t.Errorf("Commit = %v; by script: %v", err, serr)
				}
				if errors.Is(tc.err, sessions.ErrNotFound) {
					// Nothing may be left but the marker of a rename
					// without grace, as that rename left it.
					left := c.HGetAll(ctx, s.hashKey(key)).Val()
					_, marker := left[fRetiredTo]
					fields := 1
					if _, token := left[fRenameRun]; token {
						fields++ // the single-node Rename's call token
					}
					if len(left) != 0 && (!marker || len(left) != fields || c.PTTL(ctx, s.hashKey(key)).Val() <= 0) {
						t.Errorf("a failed commit left %q behind: %v", s.hashKey(key), left)
					}
					if _, found, err := s.Load(ctx, key); found || err != nil {
						t.Errorf("Load after the commit = %v, %v; want not found", found, err)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("Commit: %v", err)
			}
			for _, k := range []string{key, into} {
				rec, found, err := s.Load(ctx, k)
				if err != nil || !found {
					t.Fatalf("Load(%s) = %v, %v", short(k), found, err)
				}
				if v, _ := rec.Lookup("y"); v != "new" {
					t.Errorf("Load(%s): y = %#v, want the committed value", short(k), v)
				}
				if v, ok := rec.Lookup("x"); ok {
					t.Errorf("Load(%s): x = %#v, want it deleted", short(k), v)
				}
			}
			h := c.HGetAll(ctx, s.hashKey(into)).Val()
			if _, ok := h[fFence]; ok {
				t.Errorf("record still fenced: %v", h)
			}
			for _, k := range []string{key, into} {
				if ttl := c.PTTL(ctx, s.hashKey(k)).Val(); ttl <= 0 {
					t.Errorf("%s lost its expiry: PTTL %v", short(k), ttl)
				}
			}
		})
	}
}

// TestGhost checks that a hash of values alone, what a values-only Commit
// on a destroyed session leaves for an instant, is no session to any
// operation, directly or through a grace alias.
func TestGhost(t *testing.T) {
	t.Parallel()
	c := sharedClient(t)
	for _, o := range []Options{{}, {Cluster: true}} {
		t.Run("Cluster="+map[bool]string{false: "false", true: "true"}[o.Cluster], func(t *testing.T) { testGhost(t, c, o) })
	}
}

func testGhost(t *testing.T, c redis.UniversalClient, o Options) {
	s := newTestStore(t, c, o)
	ctx := t.Context()
	ghost := func(t *testing.T) string {
		key := storetest.NewKey(t)
		if err := c.HSet(ctx, s.hashKey(key), valuePrefix+"x", "s1", valuePrefix+"n", "1").Err(); err != nil {
			t.Fatal(err)
		}
		return key
	}
	meta := storetest.NewRecord(time.Hour).Meta
	for _, tc := range []struct {
		name string
		op   func(key string) error
	}{
		{"Load", func(key string) error {
			rec, found, err := s.Load(ctx, key)
			if err == nil && (found || rec != nil) {
				return errors.New("found")
			}
			return err
		}},
		{"Load through an alias", func(key string) error {
			alias := storetest.NewKey(t)
			c.HSet(ctx, s.hashKey(alias), fVersion, formatVersion, fAliasTo, key)
			_, found, err := s.Load(ctx, alias)
			if err == nil && found {
				return errors.New("found")
			}
			return err
		}},
		{"Commit (values)", func(key string) error {
			err := s.Commit(ctx, key, &sessions.Delta{Set: []sessions.Field{{Key: "y", Value: 1}}})
			return wantNotFound(err)
		}},
		{"Commit (metadata)", func(key string) error {
			return wantNotFound(s.Commit(ctx, key, &sessions.Delta{Meta: &meta}))
		}},
		{"Increment", func(key string) error {
			_, err := s.Increment(ctx, key, "n", 1)
			return wantNotFound(err)
		}},
		{"Rename", func(key string) error {
			return wantNotFound(s.Rename(ctx, key, storetest.NewKey(t), time.Minute))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.op(ghost(t)); err != nil {
				t.Fatalf("on a ghost: %v, want not found", err)
			}
		})
	}
}

// TestLoadDropsGhost checks that a Load that meets a ghost, directly or
// at the end of a grace alias, deletes it (a ghost has no expiry), and that
// the delete spares every hash that is not one, even one that stopped being
// a ghost after Load read it.
func TestLoadDropsGhost(t *testing.T) {
	t.Parallel()
	c := sharedClient(t)
	for _, o := range []Options{{}, {Cluster: true}} {
		t.Run("Cluster="+map[bool]string{false: "false", true: "true"}[o.Cluster], func(t *testing.T) {
			s := newTestStore(t, c, o)
			ctx := t.Context()
			exists := func(t *testing.T, key string) bool {
				t.Helper()
				n, err := c.Exists(ctx, s.hashKey(key)).Result()
				if err != nil {
					t.Fatal(err)
				}
				return n == 1
			}
			ghost := storetest.NewKey(t)
			c.HSet(ctx, s.hashKey(ghost), valuePrefix+"x", "s1")
			if _, found, err := s.Load(ctx, ghost); err != nil || found {
				t.Fatalf("Load of a ghost: found %v, %v; want absent", found, err)
			}
			if exists(t, ghost) {
				t.Error("the ghost is still there after Load met it")
			}

			target, alias := storetest.NewKey(t), storetest.NewKey(t)
			c.HSet(ctx, s.hashKey(target), valuePrefix+"x", "s1")
			c.HSet(ctx, s.hashKey(alias), fVersion, formatVersion, fAliasTo, target)
			if _, found, err := s.Load(ctx, alias); err != nil || found {
				t.Fatalf("Load through an alias to a ghost: found %v, %v; want absent", found, err)
			}
			if exists(t, target) {
				t.Error("the ghost behind the alias is still there after Load met it")
			}
			if !exists(t, alias) {
				t.Error("Load deleted the alias that led to the ghost")
			}

			// What the script spares: anything with the version, an alias
			// target, or a creation time (a damaged record, kept for
			// inspection).
			for _, fields := range [][]any{
				{fVersion, formatVersion, fCreated, "1", valuePrefix + "x", "s1"},
				{fVersion, formatVersion, fAliasTo, storetest.NewKey(t)},
				{fCreated, "1", valuePrefix + "x", "s1"},
			} {
				key := storetest.NewKey(t)
				c.HSet(ctx, s.hashKey(key), fields...)
				n, err := dropGhostScript.Run(ctx, c, []string{s.hashKey(key)}).Int()
				if err != nil || n != 0 || !exists(t, key) {
					t.Errorf("dropGhostScript on %v: %d, %v, exists %v; want it kept", fields, n, err, exists(t, key))
				}
			}
		})
	}
}

// wantNotFound maps ErrNotFound to nil and anything else to an error.
func wantNotFound(err error) error {
	if errors.Is(err, sessions.ErrNotFound) {
		return nil
	}
	if err == nil {
		return errors.New("succeeded")
	}
	return err
}

func TestIsGhost(t *testing.T) {
	for _, tc := range []struct {
		h    map[string]string
		want bool
	}{
		{map[string]string{"v:x": "s1"}, true},
		{map[string]string{"v:x": "s1", fUser: "bob"}, true},
		{map[string]string{fVersion: formatVersion, fCreated: "1"}, false},
		{map[string]string{fVersion: "9"}, false},
		{map[string]string{fCreated: "1", "v:x": "s1"}, false},
		{map[string]string{fAliasTo: strings.Repeat("a", 64)}, false},
	} {
		if got := isGhost(tc.h); got != tc.want {
			t.Errorf("isGhost(%v) = %v, want %v", tc.h, got, tc.want)
		}
	}
}

// commitPaths counts, with a go-redis hook, how a store's values-only
// commits went: pipelined round trips (with MULTI/EXEC or without), and
// commit scripts (every commit script is a fallback when all commits carry
// values only).
type commitPaths struct {
	prefix        string
	tx, fallbacks atomic.Int64
}

func watchCommits(s *Store) *commitPaths {
	cp := &commitPaths{prefix: s.prefix}
	s.c.AddHook(cp)
	return cp
}

func (cp *commitPaths) ours(cmd redis.Cmder, i int) bool {
	args := cmd.Args()
	k, _ := args[min(i, len(args)-1)].(string)
	return strings.HasPrefix(k, cp.prefix)
}

func (cp *commitPaths) DialHook(next redis.DialHook) redis.DialHook { return next }

func (cp *commitPaths) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if a := cmd.Args(); cmd.Name() == "evalsha" && len(a) > 3 && a[1] == commitScript.Hash() && cp.ours(cmd, 3) {
			cp.fallbacks.Add(1)
		}
		return next(ctx, cmd)
	}
}

func (cp *commitPaths) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		for _, cmd := range cmds {
			if cmd.Name() == "hmget" && cp.ours(cmd, 1) {
				cp.tx.Add(1)
				break
			}
		}
		return next(ctx, cmds)
	}
}
