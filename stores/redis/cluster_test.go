package redis

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/storetest"
)

// testHashTags proves the key layout on a real cluster: every key of one
// session, and a user's index, each sit in the one slot of their hash tag,
// and the tag of a session's keys is its store key.
func testHashTags(t *testing.T, c *redis.ClusterClient) {
	ctx := t.Context()
	s := newTestStore(t, c, Options{})
	user := "alice@example.com"
	oldKey, newKey := storetest.NewKey(t), storetest.NewKey(t)
	rec := storetest.NewRecord(time.Hour, "cart", "3 items")
	rec.User = user
	if err := s.Create(ctx, oldKey, rec); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Increment(ctx, oldKey, "n", 1); err != nil {
		t.Fatal(err)
	}
	if err := s.Rename(ctx, oldKey, newKey, time.Minute); err != nil {
		t.Fatal(err)
	}
	anon := storetest.NewKey(t)
	if err := s.Create(ctx, anon, storetest.NewRecord(time.Hour)); err != nil {
		t.Fatal(err)
	}

	slot := func(key string) int64 {
		t.Helper()
		n, err := c.ClusterKeySlot(ctx, key).Result()
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	want := map[string]int64{ // every key the store may write, by its tag
		s.hashKey(oldKey): slot(oldKey), // the grace alias
		s.hashKey(newKey): slot(newKey),
		s.hashKey(anon):   slot(anon),
		s.indexKey(user):  slot(user),
	}
	keys := keysWithPrefix(t, c, s.prefix)
	if len(keys) != len(want) {
		t.Fatalf("keys under the prefix: %q, want exactly %d (one hash per session or alias, one index per user)", keys, len(want))
	}
	slots := map[int64]bool{}
	for _, k := range keys {
		w, ok := want[k]
		if !ok {
			t.Errorf("unexpected key %q", k)
			continue
		}
		if got := slot(k); got != w {
			t.Errorf("key %q in slot %d, want %d (the slot of its hash tag)", k, got, w)
		}
		slots[w] = true
		t.Logf("slot %5d  %s", w, k)
	}
	if len(slots) < 2 {
		t.Logf("note: all keys happen to share one slot; the assertion above still holds per key")
	}
}

// testRenameUnderConcurrentCommits renames a session while other goroutines
// keep committing to and incrementing it through the old key. Every write
// that reported success must be in the renamed record: none is lost to the
// copy in the cluster-safe protocol. The commits carry values only, so they
// take the pipelined HSET/HMGET round trip, and those that meet the fence or
// the alias fall back to the script; both paths must have run.
func testRenameUnderConcurrentCommits(t *testing.T, s *Store) {
	ctx := t.Context()
	paths := watchCommits(s)
	defer func() {
		tx, fb := paths.tx.Load(), paths.fallbacks.Load()
		t.Logf("values-only commits: %d pipelined round trips, %d fell back to the script", tx, fb)
		if tx == 0 || fb == 0 {
			t.Errorf("the race did not exercise both commit paths (%d pipelined, %d scripts)", tx, fb)
		}
	}()
	for round := range 5 {
		oldKey, newKey := storetest.NewKey(t), storetest.NewKey(t)
		if err := s.Create(ctx, oldKey, storetest.NewRecord(time.Hour)); err != nil {
			t.Fatal(err)
		}
		var (
			mu    sync.Mutex
			set   []string
			incrs int64
			wg    sync.WaitGroup
		)
		stop := make(chan struct{})
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					if w == 0 {
						if _, err := s.Increment(ctx, oldKey, "hits", 1); err != nil {
							t.Errorf("Increment: %v", err)
							return
						}
						mu.Lock()
						incrs++
						mu.Unlock()
						continue
					}
					k := fmt.Sprintf("w%d-%d", w, i)
					err := s.Commit(ctx, oldKey, &sessions.Delta{Set: []sessions.Field{{Key: k, Value: i}}})
					if err != nil {
						t.Errorf("Commit through the old key: %v", err)
						return
					}
					mu.Lock()
					set = append(set, k)
					mu.Unlock()
				}
			}()
		}
		time.Sleep(20 * time.Millisecond)
		err := s.Rename(ctx, oldKey, newKey, 30*time.Second)
		time.Sleep(20 * time.Millisecond)
		close(stop)
		wg.Wait()
		if err != nil {
			t.Fatalf("round %d: Rename under load: %v", round, err)
		}
		rec, found, err := s.Load(ctx, newKey)
		if err != nil || !found {
			t.Fatalf("round %d: Load(new) = %v, %v", round, found, err)
		}
		for _, k := range set {
			if _, ok := rec.Lookup(k); !ok {
				t.Errorf("round %d: committed field %s lost by the rename", round, k)
			}
		}
		if v, _ := rec.Lookup("hits"); v != int(incrs) {
			t.Errorf("round %d: hits = %v, want %d successful increments", round, v, incrs)
		}
		t.Logf("round %d: %d commits and %d increments raced the rename; none lost", round, len(set), incrs)
	}
}

func TestRenameUnderConcurrentCommits(t *testing.T) {
	t.Parallel()
	c := sharedClient(t)
	for _, tc := range protocols {
		t.Run(tc.name, func(t *testing.T) { testRenameUnderConcurrentCommits(t, newTestStore(t, c, tc.o)) })
	}
}

// TestRenameFailures covers the cluster-safe Rename's clean-up: a failed
// rename leaves no copy behind and the old session intact.
func TestRenameFailures(t *testing.T) {
	t.Parallel()
	c := sharedClient(t)
	for _, o := range []Options{{}, {Cluster: true}} {
		t.Run(fmt.Sprintf("Cluster=%v", o.Cluster), func(t *testing.T) {
			ctx := t.Context()
			s := newTestStore(t, c, o)
			a, b := storetest.NewKey(t), storetest.NewKey(t)
			if err := s.Create(ctx, a, storetest.NewRecord(time.Hour, "x", 1)); err != nil {
				t.Fatal(err)
			}
			if err := s.Create(ctx, b, storetest.NewRecord(time.Hour, "x", 2)); err != nil {
				t.Fatal(err)
			}
			if err := s.Rename(ctx, a, b, 0); !errors.Is(err, sessions.ErrExists) {
				t.Fatalf("Rename onto a taken key: %v, want ErrExists", err)
			}
			if err := s.Rename(ctx, a, a, 0); !errors.Is(err, sessions.ErrExists) {
				t.Fatalf("Rename onto itself: %v, want ErrExists", err)
			}
			// An alias cannot be renamed again: the record lives on under the new key.
			c2 := storetest.NewKey(t)
			if err := s.Rename(ctx, a, c2, time.Minute); err != nil {
				t.Fatal(err)
			}
			if err := s.Rename(ctx, a, storetest.NewKey(t), 0); !errors.Is(err, sessions.ErrNotFound) {
				t.Fatalf("Rename of a grace alias: %v, want ErrNotFound", err)
			}
			// A canceled context fails before any write.
			cctx, cancel := context.WithCancel(ctx)
			cancel()
			if err := s.Rename(cctx, c2, storetest.NewKey(t), 0); err == nil {
				t.Fatal("Rename with a canceled context: nil error")
			}
			keys := keysWithPrefix(t, c, s.prefix)
			if len(keys) != 3 { // b, c2 and the alias a
				t.Fatalf("keys after failed renames: %q, want 3", keys)
			}
			for _, k := range keys {
				if !strings.Contains(k, a) && !strings.Contains(k, b) && !strings.Contains(k, c2) {
					t.Errorf("leftover key %q", k)
				}
			}
		})
	}
}

// TestRenameFence drives the cluster-safe Rename's fence by hand: writes
// wait while it stands, Load does not, an expired fence (a renamer that
// died) lets writes through and makes the late retire fail cleanly.
func TestRenameFence(t *testing.T) {
	t.Parallel()
	c := sharedClient(t)
	ctx := t.Context()
	s := newTestStore(t, c, Options{Cluster: true})
	oldKey, newKey := storetest.NewKey(t), storetest.NewKey(t)
	if err := s.Create(ctx, oldKey, storetest.NewRecord(time.Hour, "a", 1)); err != nil {
		t.Fatal(err)
	}
	const hold = 300 * time.Millisecond
	if err := fenceScript.Run(ctx, c, []string{s.hashKey(oldKey)}, newKey, hold.Milliseconds()).Err(); err != nil {
		t.Fatal(err)
	}
	if rec, found, err := s.Load(ctx, oldKey); err != nil || !found || len(rec.Fields) != 1 {
		t.Fatalf("Load of a fenced record = %+v, %v, %v; reads must not wait", rec, found, err)
	}
	start := time.Now()
	if _, err := s.Increment(ctx, oldKey, "a", 1); err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(start); waited < hold-50*time.Millisecond {
		t.Fatalf("Increment went through a standing fence after %v", waited)
	}
	if n := c.HLen(ctx, s.hashKey(oldKey)).Val(); c.HExists(ctx, s.hashKey(oldKey), fFence).Val() {
		t.Fatalf("expired fence not removed by the write (%d fields)", n)
	}
	v, err := retireScript.Run(ctx, c, []string{s.hashKey(oldKey)}, 0, newKey).Result()
	if code, _, _ := reply(v); err != nil || code != codeFenceLost {
		t.Fatalf("retire after the fence expired = %v, %v; want codeFenceLost", v, err)
	}
	if _, found, _ := s.Load(ctx, oldKey); !found {
		t.Fatal("a late retire removed the record")
	}
	// A context that ends while waiting at a fence ends the wait.
	fenceScript.Run(ctx, c, []string{s.hashKey(oldKey)}, newKey, time.Minute.Milliseconds())
	cctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	err = s.Commit(cctx, oldKey, &sessions.Delta{Set: []sessions.Field{{Key: "b", Value: 2}}})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Commit at a fence with a 50ms context: %v, want DeadlineExceeded", err)
	}
	// And a failed Rename lifts its fence at once.
	unfenceScript.Run(ctx, c, []string{s.hashKey(oldKey)}, newKey)
	taken := storetest.NewKey(t)
	s.Create(ctx, taken, storetest.NewRecord(time.Hour))
	if err := s.Rename(ctx, oldKey, taken, 0); !errors.Is(err, sessions.ErrExists) {
		t.Fatalf("Rename onto a taken key: %v", err)
	}
	start = time.Now()
	if err := s.Commit(ctx, oldKey, &sessions.Delta{Set: []sessions.Field{{Key: "b", Value: 2}}}); err != nil || time.Since(start) > 100*time.Millisecond {
		t.Fatalf("Commit after a failed Rename: %v after %v (fence not lifted?)", err, time.Since(start))
	}
}
