package redis

import (
	"context"
	"errors"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/storetest"
)

// lostScriptReply is a hook for one script: the next n runs of it reach
// Redis, and then their reply is lost to a read timeout. With retry set the
// script is sent once more, as go-redis does after a read timeout when
// MaxRetries > 0, and its caller gets the second reply; else the caller
// gets the timeout. calls counts the runs the store asked for.
type lostScriptReply struct {
	sha   string
	retry bool
	n     atomic.Int64
	calls atomic.Int64
}

func (h *lostScriptReply) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *lostScriptReply) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}
func (h *lostScriptReply) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		a := cmd.Args()
		if len(a) < 2 || a[0] != "evalsha" || a[1] != h.sha {
			return next(ctx, cmd)
		}
		h.calls.Add(1)
		err := next(ctx, cmd)
		if err != nil || h.n.Add(-1) < 0 {
			return err
		}
		if h.retry {
			return next(ctx, cmd)
		}
		lost := &net.OpError{Op: "read", Net: "tcp", Err: errors.New("i/o timeout (injected by the test)")}
		cmd.SetErr(lost)
		return lost
	}
}

// hookedSession returns a store on a client of its own whose runs of
// script go through a lostScriptReply hook (none lost until its n is set),
// and the key of a session of alice's holding x = 1 in it. It skips the
// test when Redis is not reachable.
func hookedSession(t *testing.T, o Options, script *redis.Script, retry bool) (*Store, *redis.Client, *lostScriptReply, string) {
	t.Helper()
	c := redis.NewClient(testClientOptions(sharedAddr()))
	t.Cleanup(func() { c.Close() })
	if err := script.Load(t.Context(), c).Err(); err != nil {
		t.Skipf("%s: redis not reachable at %s (set SESSIONS_REDIS_ADDR): %v", skipNoServer, sharedAddr(), err)
	}
	s := newTestStore(t, c, o)
	key := storetest.NewKey(t)
	rec := storetest.NewRecord(time.Hour, "x", 1)
	rec.User = "alice"
	if err := s.Create(t.Context(), key, rec); err != nil {
		t.Fatal(err)
	}
	hook := &lostScriptReply{sha: script.Hash(), retry: retry}
	c.AddHook(hook)
	return s, c, hook, key
}

// TestRenameReplyLost runs renames one of whose scripts ran in Redis but
// whose reply was lost. Retried, a script must see its own work done and
// succeed, not report the session gone (the old key is already renamed) or
// wait out its own fence. In the cluster-safe protocol a lost reply to the
// last step must still count as done: the new key is the only place the
// session lives. In every case the session must be under the new key with
// its values and user index entry, and the old key must resolve to it
// during a grace and to nothing without one.
func TestRenameReplyLost(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		o      Options
		script *redis.Script
		retry  bool
		commit bool // RenameCommit, with a value set
	}{
		{"SingleNode/Rename/Retried", Options{}, renameScript, true, false},
		{"SingleNode/RenameCommit/Retried", Options{}, renameCommitScript, true, true},
		{"ClusterProtocol/Fence/Retried", Options{Cluster: true}, fenceScript, true, false},
		{"ClusterProtocol/Retire/Retried", Options{Cluster: true}, retireScript, true, false},
		{"ClusterProtocol/Retire/Lost", Options{Cluster: true}, retireScript, false, false},
	} {
		for _, grace := range []time.Duration{0, time.Minute} {
			t.Run(tc.name+"/grace="+grace.String(), func(t *testing.T) {
				t.Parallel()
				s, c, hook, oldKey := hookedSession(t, tc.o, tc.script, tc.retry)
				ctx, newKey := t.Context(), storetest.NewKey(t)
				hook.n.Store(1)
				var err error
				if tc.commit {
					err = s.RenameCommit(ctx, oldKey, newKey, grace, &sessions.Delta{Set: []sessions.Field{{Key: "y", Value: 2}}})
				} else {
					err = s.Rename(ctx, oldKey, newKey, grace)
				}
				if err != nil {
					t.Fatalf("rename whose reply was lost: %v, want nil: it did happen", err)
				}
				if n := hook.calls.Load(); n != 1 {
					t.Errorf("the store ran the script %d times, want 1", n)
				}

				got, found, err := s.Load(ctx, newKey)
				if err != nil || !found {
					t.Fatalf("Load(new key): found %v, %v; the session is lost", found, err)
				}
				if x, _ := got.Lookup("x"); x != 1 {
					t.Errorf("x = %v under the new key, want 1", x)
				}
				if y, _ := got.Lookup("y"); tc.commit && y != 2 {
					t.Errorf("y = %v under the new key, want 2 (the commit)", y)
				}
				_, at, found, err := s.loadResolved(ctx, oldKey)
				switch {
				case err != nil:
					t.Errorf("Load(old key): %v", err)
				case grace == 0 && found:
					t.Errorf("Load(old key) found a session under %s, want none without a grace", short(at))
				case grace > 0 && (!found || at != newKey):
					t.Errorf("Load(old key) within the grace: found %v at %s, want the new key", found, short(at))
				}
				if grace == 0 {
					// The marker left in the old key's place takes no
					// writes, outlives a write that meets it (the next
					// retry must still find it) and expires.
					d := &sessions.Delta{Set: []sessions.Field{{Key: "z", Value: 3}}}
					if err := s.Commit(ctx, oldKey, d); !errors.Is(err, sessions.ErrNotFound) {
						t.Errorf("Commit(old key) after the rename: %v, want ErrNotFound", err)
					}
					if _, err := s.Increment(ctx, oldKey, "n", 1); !errors.Is(err, sessions.ErrNotFound) {
						t.Errorf("Increment(old key) after the rename: %v, want ErrNotFound", err)
					}
					if ms := pttlMS(t, c, s.hashKey(oldKey)); ms <= 0 || ms > retiredTTL.Milliseconds() {
						t.Errorf("old key's TTL %d ms, want a marker that expires within %v", ms, retiredTTL)
					}
				}
				list, err := s.UserSessions(ctx, "alice")
				if err != nil {
					t.Fatal(err)
				}
				if len(list) != 1 || list[0].Key != newKey {
					t.Errorf("alice's sessions = %v, want only the new key", list)
				}
			})
		}
	}
}

// TestRenameCopyReplyLost: in the cluster-safe protocol, the reply to step
// 2 (the copy to the new key) is lost. Retried, as go-redis does when
// MaxRetries > 0, the copy script must see its own copy, not report the
// new key taken; not retried, the rename fails and must leave no copy of
// the session behind under the new key.
func TestRenameCopyReplyLost(t *testing.T) {
	t.Parallel()
	for _, retry := range []bool{true, false} {
		name := "Lost"
		if retry {
			name = "Retried"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s, c, hook, oldKey := hookedSession(t, Options{Cluster: true}, createScript, retry)
			ctx, newKey := t.Context(), storetest.NewKey(t)
			hook.n.Store(1)
			err := s.Rename(ctx, oldKey, newKey, 0)
			if retry {
				if err != nil {
					t.Fatalf("Rename whose copy step was re-sent after a lost reply: %v, want nil", err)
				}
				if _, found, err := s.Load(ctx, newKey); !found || err != nil {
					t.Fatalf("Load(new key): found %v, %v", found, err)
				}
				if _, found, _ := s.Load(ctx, oldKey); found {
					t.Error("the old key still holds the session")
				}
				return
			}
			if err == nil {
				t.Fatal("Rename whose copy reply was lost reported success")
			}
			if n := c.Exists(ctx, s.hashKey(newKey)).Val(); n != 0 {
				t.Errorf("the failed rename left a copy of the session under the new key: %v", c.HGetAll(ctx, s.hashKey(newKey)).Val())
			}
			if _, found, err := s.Load(ctx, oldKey); !found || err != nil {
				t.Errorf("Load(old key) after the failed rename: found %v, %v", found, err)
			}
		})
	}
}

// TestMarkerIsNoSessionForCreate: after Rename(K, K2, 0) the old key K holds
// no session ("oldKey is dead at once"), so a Create of K, or a Rename onto
// it, must not fail with ErrExists because of the marker left there.
func TestMarkerIsNoSessionForCreate(t *testing.T) {
	t.Parallel()
	c := sharedClient(t)
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			s := newTestStore(t, c, p.o)
			ctx := t.Context()
			k1, k2 := storetest.NewKey(t), storetest.NewKey(t)
			if err := s.Create(ctx, k1, storetest.NewRecord(time.Hour, "x", 1)); err != nil {
				t.Fatal(err)
			}
			if err := s.Rename(ctx, k1, k2, 0); err != nil {
				t.Fatal(err)
			}
			if _, found, _ := s.Load(ctx, k1); found {
				t.Fatal("old key found after a rename without grace")
			}
			if err := s.Rename(ctx, k2, k1, 0); err != nil {
				t.Errorf("Rename back onto the old key, which holds no session: %v, want nil", err)
			}
			k3 := storetest.NewKey(t)
			if err := s.Create(ctx, k3, storetest.NewRecord(time.Hour, "y", 2)); err != nil {
				t.Fatal(err)
			}
			k4 := storetest.NewKey(t)
			if err := s.Rename(ctx, k3, k4, 0); err != nil {
				t.Fatal(err)
			}
			if err := s.Create(ctx, k3, storetest.NewRecord(time.Hour, "z", 3)); err != nil {
				t.Errorf("Create of a key renamed away without grace: %v, want nil", err)
			} else if rec, found, err := s.Load(ctx, k3); !found || err != nil {
				t.Errorf("Load after that Create: found %v, %v", found, err)
			} else if z, _ := rec.Lookup("z"); z != 3 {
				t.Errorf("z = %v, want 3", z)
			}
		})
	}
}

// TestRenameFenceReplyLost: in the cluster-safe protocol the reply to step
// 1 (the fence) is lost and not retried (MaxRetries 0, or the retry failed
// too). Rename fails; the fence it did set must be lifted, not left to
// hold every Commit and Increment of the session until it expires.
func TestRenameFenceReplyLost(t *testing.T) {
	t.Parallel()
	s, c, hook, oldKey := hookedSession(t, Options{Cluster: true}, fenceScript, false)
	ctx, newKey := t.Context(), storetest.NewKey(t)
	hook.n.Store(1)
	if err := s.Rename(ctx, oldKey, newKey, 0); err == nil {
		t.Fatal("Rename whose fence reply was lost reported success")
	}
	if h := c.HGetAll(ctx, s.hashKey(oldKey)).Val(); h[fFence] != "" {
		t.Errorf("the failed rename left its fence on the session: m:mv=%s m:mvu=%s", short(h[fFence]), h[fFenceEnd])
	}
}
