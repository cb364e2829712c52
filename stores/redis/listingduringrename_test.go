package redis

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/storetest"
)

// TestUserSessionsDuringRenameListsOnce checks that UserSessions lists a
// session once while a Rename moves it. A cluster-safe Rename indexes the
// copy under the new key (step 3) before it retires the fenced record
// (step 4); in between both hashes hold the user's live metadata, and the
// listing showed the one session twice (a device twice on a "your
// devices" page). It is listed under the new key. The single-node
// protocol renames atomically.
func TestUserSessionsDuringRenameListsOnce(t *testing.T) {
	t.Parallel()
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			c := redis.NewClient(testClientOptions(sharedAddr()))
			t.Cleanup(func() { c.Close() })
			s := newTestStore(t, c, p.o)
			other, err := NewWithOptions(sharedClient(t), Options{Prefix: s.prefix, Cluster: p.o.Cluster})
			if err != nil {
				t.Fatal(err)
			}
			ctx := t.Context()
			oldKey, newKey := storetest.NewKey(t), storetest.NewKey(t)
			rec := storetest.NewRecord(time.Hour, "x", 1)
			rec.User = "alice"
			if err := s.Create(ctx, oldKey, rec); err != nil {
				t.Fatal(err)
			}
			var listed []sessions.Info
			var lerr error
			hook := &beforeScript{sha: retireScript.Hash(), do: func() {
				listed, lerr = other.UserSessions(context.Background(), "alice")
			}}
			if !s.sharded {
				hook.sha = renameScript.Hash()
			}
			c.AddHook(hook)
			if err := s.Rename(ctx, oldKey, newKey, time.Minute); err != nil {
				t.Fatal(err)
			}
			if !hook.done.Load() {
				t.Fatal("the hook did not run")
			}
			var keys []string
			for _, in := range listed {
				keys = append(keys, short(in.Key))
			}
			t.Logf("UserSessions(alice) during the rename = %v, %v", keys, lerr)
			if lerr != nil || len(listed) != 1 || (s.sharded && listed[0].Key != newKey) {
				t.Errorf("UserSessions(alice) while her one session is renamed = %d entries %v (err %v), want 1 (under the new key %s in the cluster-safe protocol)", len(listed), keys, lerr, short(newKey))
			}
		})
	}
}
