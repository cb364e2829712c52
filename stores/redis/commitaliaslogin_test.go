package redis

import (
	"slices"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/storetest"
)

// TestCommitThroughAliasIndexesNewKey checks that a Commit that logs in
// (names a user) through a grace alias puts the key the alias resolves to
// in the user's index, not the alias: a request still carrying the old
// cookie during a Rename grace commits through the alias, and the user's
// "log out everywhere" (DeleteUserSessions) must find the session.
func TestCommitThroughAliasIndexesNewKey(t *testing.T) {
	t.Parallel()
	c := sharedClient(t)
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			s := newTestStore(t, c, p.o)
			ctx := t.Context()
			oldKey, newKey := storetest.NewKey(t), storetest.NewKey(t)
			rec := storetest.NewRecord(time.Hour, "x", 1)
			if err := s.Create(ctx, oldKey, rec); err != nil {
				t.Fatal(err)
			}
			if err := s.Rename(ctx, oldKey, newKey, time.Minute); err != nil {
				t.Fatal(err)
			}
			m := rec.Meta
			m.User = "carol"
			if err := s.Commit(ctx, oldKey, &sessions.Delta{Meta: &m, MetaFields: sessions.MetaUser}); err != nil {
				t.Fatal(err)
			}
			list, err := s.UserSessions(ctx, m.User)
			if err != nil {
				t.Fatal(err)
			}
			keys := make([]string, len(list))
			for i, in := range list {
				keys[i] = in.Key
			}
			if !slices.Equal(keys, []string{newKey}) {
				t.Errorf("UserSessions after a login through the alias = %q, want [%q]", keys, newKey)
			}
			n, err := s.DeleteUserSessions(ctx, m.User, "")
			if err != nil || n != 1 {
				t.Errorf("DeleteUserSessions = %d, %v; want 1", n, err)
			}
			if _, found, _ := s.Load(ctx, newKey); found {
				t.Error("the session survived DeleteUserSessions")
			}
		})
	}
}
