package redis

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/storetest"
)

// TestDamagedUserIndexClusterProtocol checks the cluster-safe protocol's
// second command, the user index write, failing on a damaged index (a key
// of another Redis type). A Create must then remove the record it wrote,
// so that no session is left that its caller was told does not exist. A
// Commit (a login) has written the record by then; it must forget the
// coverage it recorded, so that the session's next commit of its expiry
// writes the index entry once the index is repaired, and the user's
// "log out everywhere" (DeleteUserSessions) finds the session.
func TestDamagedUserIndexClusterProtocol(t *testing.T) {
	t.Parallel()
	c := sharedClient(t)
	s := newTestStore(t, c, Options{Cluster: true})
	ctx := t.Context()
	damage := func(user string) {
		t.Helper()
		if err := c.Set(ctx, s.indexKey(user), "not a sorted set", time.Hour).Err(); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("Create", func(t *testing.T) {
		user := "damaged-create"
		damage(user)
		key := storetest.NewKey(t)
		rec := storetest.NewRecord(time.Hour, "x", 1)
		rec.User = user
		if err := s.Create(ctx, key, rec); !errors.Is(err, sessions.ErrCorrupt) {
			t.Errorf("Create with a damaged user index: %v, want ErrCorrupt", err)
		}
		if n := c.Exists(ctx, s.hashKey(key)).Val(); n != 0 {
			t.Error("the failed Create left a record")
		}
	})

	t.Run("CommitThenRepair", func(t *testing.T) {
		user := "damaged-commit"
		damage(user)
		key := storetest.NewKey(t)
		rec := storetest.NewRecord(time.Hour, "x", 1)
		if err := s.Create(ctx, key, rec); err != nil {
			t.Fatal(err)
		}
		m := rec.Meta
		m.User = user
		if err := s.Commit(ctx, key, &sessions.Delta{Meta: &m, MetaFields: sessions.MetaUser}); !errors.Is(err, sessions.ErrCorrupt) {
			t.Fatalf("Commit (login) with a damaged user index: %v, want ErrCorrupt", err)
		}
		if err := c.Del(ctx, s.indexKey(user)).Err(); err != nil {
			t.Fatal(err)
		}
		// The next request records activity: a slightly later expiry,
		// well within the coverage the failed login computed.
		m.Expires = time.Now().Add(time.Hour + time.Minute).UnixNano()
		if err := s.Commit(ctx, key, &sessions.Delta{Meta: &m, MetaFields: sessions.MetaExpires | sessions.MetaLastSeen}); err != nil {
			t.Fatal(err)
		}
		list, err := s.UserSessions(ctx, user)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(list, func(in sessions.Info) bool { return in.Key == key }) {
			t.Errorf("UserSessions(%q) after the index was repaired = %v, want the session %s: the commit after the failed login did not write the index entry", user, list, short(key))
		}
	})
}
