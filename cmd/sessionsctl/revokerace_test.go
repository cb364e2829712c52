package main

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/cmd/internal/storeurl"
	"github.com/sessionkit/sessions/storetest"
)

// renewAfterLoad is a store whose first Load of key is followed, before it
// returns, by a rename of the session to to without a grace: the session's
// own client renewing its ID (Renew or Login) in the moment after revoke
// read it.
type renewAfterLoad struct {
	sessions.Store
	t       *testing.T
	key, to string
	done    bool
}

func (s *renewAfterLoad) Load(ctx context.Context, key string) (*sessions.Record, bool, error) {
	rec, found, err := s.Store.Load(ctx, key)
	if key == s.key && !s.done {
		s.done = true
		if err := s.Store.Rename(ctx, s.key, s.to, 0); err != nil {
			s.t.Errorf("Rename after the Load: %v", err)
		}
	}
	return rec, found, err
}

// TestRevokeRacingRenewal checks that revoke never reports a session
// revoked while it lives on: when the session's client renews its ID
// between revoke's read and its delete, the handle names nothing any more,
// and revoke must say so (an error, exit 1) instead of printing "revoked",
// and say what to do.
func TestRevokeRacingRenewal(t *testing.T) {
	ctx := context.Background()
	store := openBolt(t)
	key, renewed := storetest.NewKey(t), storetest.NewKey(t)
	rec := storetest.NewRecord(time.Hour, "n", 1)
	rec.User = "alice"
	if err := store.Create(ctx, key, rec); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err := command(ctx, &renewAfterLoad{Store: store, t: t, key: key, to: renewed}, []string{"revoke", key}, &out, io.Discard)
	_, alive, lerr := store.Load(ctx, renewed)
	if lerr != nil {
		t.Fatal(lerr)
	}
	if alive && (err == nil || strings.Contains(out.String(), "revoked")) {
		t.Errorf("revoke printed %q, error %v, while the session lives on under its renewed ID; want an error saying it was not revoked", out.String(), err)
	}
	// Beyond saying the session was renewed, the error tells the admin
	// how to end it, which the store's bare ErrNotFound does not.
	for _, want := range []string{"renewed", key, "list USER", "revoke its new handle"} {
		if err != nil && !strings.Contains(err.Error(), want) {
			t.Errorf("revoke racing a renewal: error %q; want it to hold %q", err, want)
		}
	}
}

// openBolt opens a store in a new bbolt file, closed when the test ends.
func openBolt(t *testing.T) sessions.Store {
	t.Helper()
	return openSpec(t, "bolt:"+filepath.Join(t.TempDir(), "s.db"))
}

// openSpec opens the store spec names, closed when the test ends.
func openSpec(t *testing.T, spec string) sessions.Store {
	t.Helper()
	store, closeStore, err := storeurl.Open(context.Background(), spec, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeStore() })
	return store
}

// seededBolt returns the spec of a new bbolt file that seed has written
// to, closed again so that a run of sessionsctl can open it.
func seededBolt(t *testing.T, seed func(sessions.Store)) string {
	t.Helper()
	spec := "bolt:" + filepath.Join(t.TempDir(), "s.db")
	store, closeStore, err := storeurl.Open(context.Background(), spec, "")
	if err != nil {
		t.Fatal(err)
	}
	defer closeStore()
	seed(store)
	return spec
}
