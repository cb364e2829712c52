package redis

import (
	"context"
	"errors"
	"math"
	"net"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/storetest"
)

// TestExpiryMillis checks the ns to ms conversion at its edges: it rounds
// up, and the latest deadline an int64 holds does not wrap around.
func TestExpiryMillis(t *testing.T) {
	for _, tc := range []struct{ ns, want int64 }{
		{0, 0},
		{-1, 1},
		{math.MinInt64, 1},
		{1, 1},
		{1_000_000, 1},
		{1_000_001, 2},
		{9_223_372_036_853_775_808, 9_223_372_036_854}, // the last ns+999_999 does not wrap
		{9_223_372_036_853_775_809, 9_223_372_036_854},
		{math.MaxInt64, 9_223_372_036_855},
	} {
		if got := expiryMillis(tc.ns); got != tc.want {
			t.Errorf("expiryMillis(%d) = %d, want %d", tc.ns, got, tc.want)
		}
	}
}

// TestLatestExpiry stores sessions whose Expires is the latest an int64
// holds (year 2262, what "practically never" may be spelt as): each must
// live, with a TTL, and be listed, in both protocols and with the largest
// IndexSlack.
func TestLatestExpiry(t *testing.T) {
	t.Parallel()
	c := sharedClient(t)
	for _, tc := range []struct {
		name string
		o    Options
	}{
		{"SingleNode", Options{}},
		{"ClusterProtocol", Options{Cluster: true}},
		{"ClusterProtocolMaxSlack", Options{Cluster: true, IndexSlack: math.MaxInt64}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestStore(t, c, tc.o)
			ctx := t.Context()
			user := "ada"
			for _, exp := range []int64{math.MaxInt64, math.MaxInt64 - 1, math.MaxInt64 - 999_999} {
				key := storetest.NewKey(t)
				rec := storetest.NewRecord(time.Hour, "x", 1)
				rec.Expires, rec.User = exp, user
				if err := s.Create(ctx, key, rec); err != nil {
					t.Fatalf("Create with Expires %d: %v", exp, err)
				}
				if _, found, err := s.Load(ctx, key); err != nil || !found {
					t.Fatalf("Load after Create with Expires %d: found %v, %v", exp, found, err)
				}
				if ttl := pttlMS(t, c, s.hashKey(key)); ttl < century {
					t.Errorf("Expires %d: record TTL %dms, want over a century", exp, ttl)
				}
				// A commit that moves the expiry there works as well.
				m := rec.Meta
				m.Expires = time.Now().Add(time.Hour).UnixNano()
				if err := s.Commit(ctx, key, &sessions.Delta{Meta: &m, MetaFields: sessions.MetaExpires}); err != nil {
					t.Fatal(err)
				}
				m.Expires = exp
				if err := s.Commit(ctx, key, &sessions.Delta{Meta: &m, MetaFields: sessions.MetaExpires}); err != nil {
					t.Fatal(err)
				}
				if _, found, err := s.Load(ctx, key); err != nil || !found {
					t.Fatalf("Load after a Commit of Expires %d: found %v, %v", exp, found, err)
				}
			}
			if list, err := s.UserSessions(ctx, user); err != nil || len(list) != 3 {
				t.Fatalf("UserSessions = %d sessions, %v; want 3", len(list), err)
			}
			if ttl := pttlMS(t, c, s.indexKey(user)); ttl < century {
				t.Errorf("user index TTL %dms, want over a century", ttl)
			}
		})
	}
}

// century is about a hundred years in ms.
const century = 100 * 365 * 24 * 3600 * 1000

// pttlMS is PTTL in ms: go-redis's time.Duration overflows for TTLs past
// the year 2262.
func pttlMS(t *testing.T, c *redis.Client, key string) int64 {
	t.Helper()
	ms, err := c.Do(t.Context(), "PTTL", key).Int64()
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// lostReplies is a hook that lets the next n pipelines (and transactions)
// reach Redis and then reports a read timeout for them, as when the reply
// is lost to a network failure.
type lostReplies struct{ n atomic.Int64 }

func (h *lostReplies) DialHook(next redis.DialHook) redis.DialHook          { return next }
func (h *lostReplies) ProcessHook(next redis.ProcessHook) redis.ProcessHook { return next }
func (h *lostReplies) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		err := next(ctx, cmds)
		if err != nil || h.n.Add(-1) < 0 {
			return err
		}
		lost := &net.OpError{Op: "read", Net: "tcp", Err: errors.New("i/o timeout (injected by the test)")}
		for _, c := range cmds {
			c.SetErr(lost)
		}
		return lost
	}
}

// TestCommitValuesLostReply runs values-only Commits whose reply is lost
// after Redis applied them. On a destroyed session the HSET made a ghost,
// which has no expiry: Commit must remove it even though it never saw the
// HMGET that shows it. On a live record the values must stay.
func TestCommitValuesLostReply(t *testing.T) {
	t.Parallel()
	other := sharedClient(t)
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			c := redis.NewClient(testClientOptions(sharedAddr()))
			t.Cleanup(func() { c.Close() })
			lost := &lostReplies{}
			c.AddHook(lost)
			s := newTestStore(t, c, p.o)
			ctx := t.Context()
			for _, d := range []*sessions.Delta{
				{Set: []sessions.Field{{Key: "y", Value: 2}}},                     // pipelined HSET
				{Set: []sessions.Field{{Key: "y", Value: 2}}, Del: []string{"x"}}, // MULTI/EXEC
			} {
				gone, live := storetest.NewKey(t), storetest.NewKey(t)
				for _, k := range []string{gone, live} {
					if err := s.Create(ctx, k, storetest.NewRecord(time.Hour, "x", 1)); err != nil {
						t.Fatal(err)
					}
				}
				if err := s.Delete(ctx, gone); err != nil {
					t.Fatal(err)
				}

				lost.n.Store(1)
				if err := s.Commit(ctx, gone, d); !errors.Is(err, sessions.ErrStoreUnavailable) {
					t.Fatalf("Commit on a deleted session, reply lost: %v, want ErrStoreUnavailable", err)
				}
				if n := other.Exists(ctx, s.hashKey(gone)).Val(); n != 0 {
					t.Errorf("Del %v: a ghost hash (TTL %v) is left after a Commit whose reply was lost",
						d.Del, other.PTTL(ctx, s.hashKey(gone)).Val())
				}

				lost.n.Store(1)
				if err := s.Commit(ctx, live, d); !errors.Is(err, sessions.ErrStoreUnavailable) {
					t.Fatalf("Commit on a live session, reply lost: %v, want ErrStoreUnavailable", err)
				}
				rec, found, err := s.Load(ctx, live)
				if err != nil || !found {
					t.Fatalf("Del %v: live session after a Commit whose reply was lost: found %v, %v", d.Del, found, err)
				}
				if v, _ := rec.Lookup("y"); v != 2 {
					t.Errorf("Del %v: y = %v after the commit landed, want 2", d.Del, v)
				}
			}
		})
	}
}

// TestCommitDamagedIndexed damages the m:ix field that records a
// cluster-safe index entry's coverage: a Commit must complete (Expires and
// TTL both moved, never one without the other) and record the entry anew.
func TestCommitDamagedIndexed(t *testing.T) {
	t.Parallel()
	c := sharedClient(t)
	s := newTestStore(t, c, Options{Cluster: true})
	ctx := t.Context()
	for _, junk := range []string{"junk", "", "nan", "-"} {
		t.Run(strconv.Quote(junk), func(t *testing.T) {
			key := storetest.NewKey(t)
			rec := storetest.NewRecord(time.Hour)
			rec.User = "ix-user"
			if err := s.Create(ctx, key, rec); err != nil {
				t.Fatal(err)
			}
			c.HSet(ctx, s.hashKey(key), fIndexed, junk)
			m := rec.Meta
			m.Expires = time.Now().Add(3 * time.Hour).UnixNano()
			if err := s.Commit(ctx, key, &sessions.Delta{Meta: &m, MetaFields: sessions.MetaExpires}); err != nil {
				t.Fatalf("Commit with m:ix = %q: %v", junk, err)
			}
			got, found, err := s.Load(ctx, key)
			if err != nil || !found || got.Expires != m.Expires {
				t.Fatalf("Load after the commit: %+v, %v, %v; want Expires %d", got, found, err, m.Expires)
			}
			if ttl := c.PTTL(ctx, s.hashKey(key)).Val(); ttl < 2*time.Hour {
				t.Errorf("TTL %v after moving Expires 3h ahead", ttl)
			}
			want := s.coverage(expiryMillis(m.Expires))
			if ix := c.HGet(ctx, s.hashKey(key), fIndexed).Val(); ix != want {
				t.Errorf("m:ix = %q after the commit, want %q", ix, want)
			}
			if score := c.ZScore(ctx, s.indexKey(rec.User), key).Val(); strconv.FormatFloat(score, 'f', -1, 64) != want {
				t.Errorf("index score %v, want %s", score, want)
			}
		})
	}
}

// TestDamagedUserIndex puts a string where a user index belongs: writes
// that would update the index fail with ErrCorrupt before changing
// anything, since Redis does not undo a script's writes when it fails
// halfway.
func TestDamagedUserIndex(t *testing.T) {
	t.Parallel()
	c := sharedClient(t)
	s := newTestStore(t, c, Options{})
	ctx := t.Context()
	user := "damaged"
	if err := c.Set(ctx, s.indexKey(user), "not a sorted set", time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	// unchanged checks that the record under key is still rec, with a TTL
	// no longer than ttl.
	unchanged := func(t *testing.T, key string, rec *sessions.Record, ttl time.Duration) {
		t.Helper()
		got, found, err := s.Load(ctx, key)
		if err != nil || !found {
			t.Fatalf("Load: found %v, %v", found, err)
		}
		if got.Expires != rec.Expires || got.User != rec.User || len(got.Fields) != len(rec.Fields) {
			t.Errorf("the failed write changed the record: %+v, want %+v", got, rec)
		}
		// The store rounds a deadline up to Redis's whole milliseconds, so
		// the TTL read back in the record's first millisecond is ttl+1ms.
		if pttl := c.PTTL(ctx, s.hashKey(key)).Val(); pttl > ttl+time.Millisecond {
			t.Errorf("the failed write moved the TTL to %v", pttl)
		}
	}

	key := storetest.NewKey(t)
	rec := storetest.NewRecord(time.Hour, "x", 1)
	rec.User = user
	if err := s.Create(ctx, key, rec); !errors.Is(err, sessions.ErrCorrupt) {
		t.Errorf("Create with a damaged user index: %v, want ErrCorrupt", err)
	}
	if n := c.Exists(ctx, s.hashKey(key)).Val(); n != 0 {
		t.Error("the failed Create left a record")
	}

	rec.User = ""
	anonymous := func() string {
		t.Helper()
		key := storetest.NewKey(t)
		if err := s.Create(ctx, key, rec); err != nil {
			t.Fatal(err)
		}
		return key
	}
	key = anonymous()
	m := rec.Meta
	m.User, m.Expires = user, time.Now().Add(3*time.Hour).UnixNano()
	d := &sessions.Delta{Meta: &m, Set: []sessions.Field{{Key: "y", Value: 2}}}
	if err := s.Commit(ctx, key, d); !errors.Is(err, sessions.ErrCorrupt) {
		t.Errorf("Commit (login) with a damaged user index: %v, want ErrCorrupt", err)
	}
	unchanged(t, key, rec, time.Hour)

	key, newKey := anonymous(), storetest.NewKey(t)
	if err := s.RenameCommit(ctx, key, newKey, time.Minute, d); !errors.Is(err, sessions.ErrCorrupt) {
		t.Errorf("RenameCommit (login) with a damaged user index: %v, want ErrCorrupt", err)
	}
	unchanged(t, key, rec, time.Hour)
	if n := c.Exists(ctx, s.hashKey(newKey)).Val(); n != 0 {
		t.Error("the failed RenameCommit left a record under the new key")
	}

	// A Rename moves the session's index entry too.
	key, newKey = storetest.NewKey(t), storetest.NewKey(t)
	rec.User = "damaged-later"
	if err := s.Create(ctx, key, rec); err != nil {
		t.Fatal(err)
	}
	c.Set(ctx, s.indexKey(rec.User), "not a sorted set", time.Hour)
	if err := s.Rename(ctx, key, newKey, time.Minute); !errors.Is(err, sessions.ErrCorrupt) {
		t.Errorf("Rename with a damaged user index: %v, want ErrCorrupt", err)
	}
	unchanged(t, key, rec, time.Hour)
	if n := c.Exists(ctx, s.hashKey(newKey)).Val(); n != 0 {
		t.Error("the failed Rename left a record under the new key")
	}
}

// TestUserIndexExpiryAfterRemoval checks that a user index that was kept
// without expiry for a session that has none (Expires == 0) gets one again
// once that session's entry is removed, by DeleteUserSessions or by a
// listing that finds the session gone.
func TestUserIndexExpiryAfterRemoval(t *testing.T) {
	t.Parallel()
	c := sharedClient(t)
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			s := newTestStore(t, c, p.o)
			ctx := t.Context()
			for _, tc := range []struct {
				name   string
				remove func(user, forever, finite string) error
			}{
				{"DeleteUserSessions", func(user, _, finite string) error {
					n, err := s.DeleteUserSessions(ctx, user, finite)
					if err == nil && n != 1 {
						err = errors.New("deleted " + strconv.Itoa(n) + ", want 1")
					}
					return err
				}},
				{"UserSessions", func(user, forever, _ string) error {
					if err := s.Delete(ctx, forever); err != nil {
						return err
					}
					list, err := s.UserSessions(ctx, user)
					if err == nil && len(list) != 1 {
						err = errors.New("listed " + strconv.Itoa(len(list)) + ", want 1")
					}
					return err
				}},
			} {
				t.Run(tc.name, func(t *testing.T) {
					user := "persist-" + tc.name
					forever, finite := storetest.NewKey(t), storetest.NewKey(t)
					r := storetest.NewRecord(time.Hour)
					r.User, r.Expires = user, 0
					if err := s.Create(ctx, forever, r); err != nil {
						t.Fatal(err)
					}
					r = storetest.NewRecord(time.Hour)
					r.User = user
					if err := s.Create(ctx, finite, r); err != nil {
						t.Fatal(err)
					}
					idx := s.indexKey(user)
					if ttl := c.PTTL(ctx, idx).Val(); ttl != -1 {
						t.Fatalf("index TTL %v with a session that never expires, want none (-1)", ttl)
					}
					if err := tc.remove(user, forever, finite); err != nil {
						t.Fatal(err)
					}
					want := time.Hour + indexSlack(s)
					if ttl := c.PTTL(ctx, idx).Val(); ttl < want-time.Minute || ttl > want+time.Second {
						t.Errorf("index TTL %v after the entry without expiry left, want about %v", ttl, want)
					}
				})
			}
		})
	}
}

// indexSlack is how much longer than its sessions a user index lives.
func indexSlack(s *Store) time.Duration {
	if !s.sharded {
		return 0
	}
	return time.Duration(s.slackMS) * time.Millisecond
}
