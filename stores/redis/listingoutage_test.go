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

// lastCmdUnreachable is a hook that lets the next n pipelines of HMGETs
// (a user listing's reads) reach Redis and then fails their last command
// with a read timeout, as a cluster pipeline does when the node holding
// that command's key is unreachable while the others answer. Like go-redis,
// it returns the first failed command's error.
type lastCmdUnreachable struct{ n atomic.Int64 }

func (h *lastCmdUnreachable) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *lastCmdUnreachable) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return next
}
func (h *lastCmdUnreachable) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		err := next(ctx, cmds)
		if len(cmds) == 0 || cmds[0].Name() != "hmget" || h.n.Add(-1) < 0 {
			return err
		}
		cmds[len(cmds)-1].SetErr(&net.OpError{Op: "read", Net: "tcp", Err: errors.New("i/o timeout (injected by the test)")})
		for _, c := range cmds {
			if err := c.Err(); err != nil {
				return err
			}
		}
		return nil
	}
}

// TestListingWithUnreachableEntry proves that a user's listing whose
// metadata reads partly fail because Redis (in a cluster, one node) could
// not be reached fails with ErrStoreUnavailable, and leaves the user index
// as it was, also when an earlier entry of the same pipeline failed with a
// reply about its own key (a damaged entry whose key holds another Redis
// type), which is the error the pipeline reports. Taking the unreachable
// entry for stale instead dropped a live session from the index for good:
// the user's "log out everywhere" no longer found it.
func TestListingWithUnreachableEntry(t *testing.T) {
	t.Parallel()
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			c := redis.NewClient(testClientOptions(sharedAddr()))
			t.Cleanup(func() { c.Close() })
			if err := c.Ping(t.Context()).Err(); err != nil {
				t.Skipf("%s: redis not reachable at %s (set SESSIONS_REDIS_ADDR): %v", skipNoServer, sharedAddr(), err)
			}
			s := newTestStore(t, c, p.o)
			ctx, user := t.Context(), "erin"
			var keys []string
			for range 2 {
				k := storetest.NewKey(t)
				rec := storetest.NewRecord(time.Hour, "x", 1)
				rec.User = user
				if err := s.Create(ctx, k, rec); err != nil {
					t.Fatal(err)
				}
				keys = append(keys, k)
			}
			// A damaged entry, listed first: its key holds a string.
			bad := storetest.NewKey(t)
			if err := c.Set(ctx, s.hashKey(bad), "not a hash", time.Hour).Err(); err != nil {
				t.Fatal(err)
			}
			if err := c.ZAdd(ctx, s.indexKey(user), redis.Z{Score: float64(time.Now().Add(10 * time.Minute).UnixMilli()), Member: bad}).Err(); err != nil {
				t.Fatal(err)
			}

			hook := &lastCmdUnreachable{}
			c.AddHook(hook)
			hook.n.Store(1)
			list, err := s.UserSessions(ctx, user)
			if !errors.Is(err, sessions.ErrStoreUnavailable) {
				t.Errorf("UserSessions with an entry unreachable = %v, %v; want an error wrapping ErrStoreUnavailable", list, err)
			}
			n, err := s.DeleteUserSessions(ctx, user, "")
			if err != nil || n != 2 {
				t.Errorf("DeleteUserSessions afterwards = %d, %v; want both sessions deleted", n, err)
			}
			for _, k := range keys {
				if _, found, err := s.Load(ctx, k); err != nil || found {
					t.Errorf("session %s after DeleteUserSessions: found %v, %v; the listing dropped it from the index", short(k), found, err)
				}
			}
		})
	}
}
