package redis

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/storetest"
)

// TestDeleteUserSessionsCountsRenameOnce runs DeleteUserSessions while a
// cluster-safe Rename of one of the user's sessions is between its copy and
// its last step: the user's index then lists the session twice, under its
// fenced old key and under its copy, and both are deleted. That is one
// session: the count ("revoked N sessions") must say so, whichever of the
// two this call deletes, and no part of the session may be left.
func TestDeleteUserSessionsCountsRenameOnce(t *testing.T) {
	sharedClient(t) // skips without a server
	c := redis.NewClient(testClientOptions(sharedAddr()))
	t.Cleanup(func() { c.Close() })
	s := newTestStore(t, c, Options{Cluster: true})
	ctx := t.Context()
	keys := aliceSessions(t, s, 3)
	newKey := storetest.NewKey(t)
	var n int
	var derr error
	c.AddHook(&beforeScript{sha: retireScript.Hash(), do: func() {
		n, derr = s.DeleteUserSessions(context.Background(), "alice", "")
	}})
	err := s.Rename(ctx, keys[0], newKey, time.Minute)
	if !errors.Is(err, sessions.ErrNotFound) {
		t.Errorf("Rename of a session deleted before its last step: %v, want ErrNotFound", err)
	}
	if derr != nil || n != len(keys) {
		t.Errorf("DeleteUserSessions during a rename = %d, %v; want %d, nil: the renamed session counted once", n, derr, len(keys))
	}
	for _, k := range append(keys, newKey) {
		if _, found, err := s.Load(ctx, k); found || err != nil {
			t.Errorf("Load(%s) after DeleteUserSessions = %v, %v; want no session", short(k), found, err)
		}
	}
}
