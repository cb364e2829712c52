package redis

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/storetest"
)

// beforeScript is a hook that calls do once, just before the first run of
// one script reaches Redis.
type beforeScript struct {
	sha  string
	do   func()
	done atomic.Bool
}

func (h *beforeScript) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *beforeScript) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}
func (h *beforeScript) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if a := cmd.Args(); len(a) >= 2 && a[0] == "evalsha" && a[1] == h.sha && h.done.CompareAndSwap(false, true) {
			h.do()
		}
		return next(ctx, cmd)
	}
}

// TestRenameDeletedMidway checks the cluster-safe Rename when the session
// is deleted (a logout in another request) after the rename copied it and
// before it retired the old key: the delete wins, Rename reports
// ErrNotFound (a lost write to the manager, not a store failure), and the
// copy is gone. With a values-only Commit from a third request in flight,
// the old key holds for a moment a ghost (the values its HSET wrote into
// the deleted record's place, which that Commit then removes); the rename
// must read that as the session gone too, not as its fence lost.
func TestRenameDeletedMidway(t *testing.T) {
	for _, tc := range []struct {
		name  string
		ghost bool
	}{{"deleted", false}, {"deleted, a ghost in its place", true}} {
		t.Run(tc.name, func(t *testing.T) {
			s, c, _, oldKey := hookedSession(t, Options{Cluster: true}, retireScript, false)
			newKey := storetest.NewKey(t)
			c.AddHook(&beforeScript{sha: retireScript.Hash(), do: func() {
				ctx := context.Background()
				if err := s.Delete(ctx, oldKey); err != nil {
					t.Errorf("Delete: %v", err)
				}
				if tc.ghost {
					c.HSet(ctx, s.hashKey(oldKey), valuePrefix+"y", "s1")
				}
			}})
			err := s.Rename(t.Context(), oldKey, newKey, time.Minute)
			if !errors.Is(err, sessions.ErrNotFound) {
				t.Errorf("Rename of a session deleted before its last step: %v, want ErrNotFound", err)
			}
			if n := c.Exists(t.Context(), s.hashKey(newKey)).Val(); n != 0 {
				t.Errorf("the copy under the new key outlived the delete")
			}
			if _, found, err := s.Load(t.Context(), newKey); found || err != nil {
				t.Errorf("Load(new key) = %v, %v; want no session", found, err)
			}
		})
	}
}
