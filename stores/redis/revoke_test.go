package redis

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sessionkit/sessions/storetest"
)

// beforeDeletes is a hook that runs fn once, just before the first
// pipeline of EVAL calls (DeleteUserSessions' deletes) goes out: after the
// sessions were listed, before they are deleted.
type beforeDeletes struct {
	fn    func()
	fired atomic.Bool
}

func (h *beforeDeletes) DialHook(next redis.DialHook) redis.DialHook          { return next }
func (h *beforeDeletes) ProcessHook(next redis.ProcessHook) redis.ProcessHook { return next }
func (h *beforeDeletes) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		if len(cmds) > 0 && cmds[0].Name() == "eval" && h.fired.CompareAndSwap(false, true) {
			h.fn()
		}
		return next(ctx, cmds)
	}
}

// TestDeleteUserSessionsRacingRename renames one of alice's sessions (an ID
// rotation, with a grace) between DeleteUserSessions' listing and its
// deletes. "Log out everywhere" must still end it, under its new key.
func TestDeleteUserSessionsRacingRename(t *testing.T) {
	t.Parallel()
	sharedClient(t) // skips without a server
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			c := redis.NewClient(testClientOptions(sharedAddr()))
			t.Cleanup(func() { c.Close() })
			s := newTestStore(t, c, p.o)
			ctx := t.Context()
			keys := aliceSessions(t, s, 3)
			renamed := storetest.NewKey(t)
			c.AddHook(&beforeDeletes{fn: func() {
				if err := s.Rename(ctx, keys[0], renamed, time.Minute); err != nil {
					t.Errorf("Rename between the listing and the deletes: %v", err)
				}
			}})
			n, err := s.DeleteUserSessions(ctx, "alice", "")
			if err != nil {
				t.Fatal(err)
			}
			if n != len(keys) {
				t.Errorf("DeleteUserSessions deleted %d sessions, want %d", n, len(keys))
			}
			if _, found, err := s.Load(ctx, renamed); found || err != nil {
				t.Errorf("the session renamed while alice was logged out everywhere still loads: found %v, %v", found, err)
			}
			if list, err := s.UserSessions(ctx, "alice"); err != nil || len(list) != 0 {
				t.Errorf("alice's sessions after DeleteUserSessions: %v, %v; want none", list, err)
			}
		})
	}
}

// aliceSessions creates n sessions of the user alice in s and returns their
// keys.
func aliceSessions(t *testing.T, s *Store, n int) []string {
	t.Helper()
	keys := make([]string, n)
	for i := range keys {
		keys[i] = storetest.NewKey(t)
		rec := storetest.NewRecord(time.Hour, "i", i)
		rec.User = "alice"
		if err := s.Create(t.Context(), keys[i], rec); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}
