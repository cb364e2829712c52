package main

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/storetest"
)

// renameAfterCommit is a store whose first Commit to key is followed by a
// Rename of key to to with a grace: the session's own client renewing its
// ID in the moment between revoke's Commit and its Delete.
type renameAfterCommit struct {
	sessions.Store
	key, to string
	done    bool
}

func (s *renameAfterCommit) Commit(ctx context.Context, key string, d *sessions.Delta) error {
	err := s.Store.Commit(ctx, key, d)
	if key == s.key && !s.done {
		s.done = true
		// Refused once the session has ended, as it should be.
		_ = s.Store.Rename(ctx, s.key, s.to, time.Minute)
	}
	return err
}

// TestRevokeEndsSessionBeforeDelete checks that revoke ends the session
// (its Commit sets an expiry in the past) before it deletes it: a renewal
// of the session's ID landing between the two then finds an ended session
// it cannot move, where a session still live would be renamed away from
// the handle revoke deletes, and live on under a key revoke never saw
// after revoke reported it revoked.
func TestRevokeEndsSessionBeforeDelete(t *testing.T) {
	ctx := context.Background()
	store := openBolt(t)
	key, renewed := storetest.NewKey(t), storetest.NewKey(t)
	rec := storetest.NewRecord(time.Hour, "n", 1)
	rec.User = "alice"
	if err := store.Create(ctx, key, rec); err != nil {
		t.Fatal(err)
	}
	var out, notes bytes.Buffer
	err := command(ctx, &renameAfterCommit{Store: store, key: key, to: renewed}, []string{"revoke", key}, &out, &notes)
	if err != nil {
		t.Fatalf("revoke: %v", err)
	}
	if _, alive, err := store.Load(ctx, renewed); err != nil || alive {
		t.Errorf("revoke printed %q, and the session renamed between its Commit and Delete is alive (%v, err %v); want it ended", out.String(), alive, err)
	}
}
