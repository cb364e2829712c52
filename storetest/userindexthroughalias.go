package storetest

import (
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// testUserIndexThroughAlias checks the user index after a commit that
// reaches a session through a rename's grace alias (a request still in
// flight with the old ID logs the user in, or out): the index follows the
// session under its new key, the only key UserSessions lists, and
// DeleteUserSessions deletes it there.
func testUserIndexThroughAlias(t *testing.T, h Harness) {
	s, ux := newUserIndex(t, h)
	listed := func(t *testing.T, user string) []string {
		t.Helper()
		list, err := ux.UserSessions(ctx(t), user)
		if err != nil {
			t.Fatalf("UserSessions: %v", err)
		}
		var keys []string
		for _, in := range list {
			keys = append(keys, in.Key)
		}
		return keys
	}
	u := newUser(t)
	v := newUser(t)
	oldKey, newKey := NewKey(t), NewKey(t)
	mustCreate(t, s, oldKey, NewRecord(time.Hour))
	if err := s.Rename(ctx(t), oldKey, newKey, time.Minute); err != nil {
		t.Fatalf("Rename: %v", err)
	}
	for _, c := range []struct {
		name       string
		from, to   string // the user before and after the commit
		metaFields sessions.MetaField
	}{
		{"login", "", u, sessions.MetaUser},
		{"switch user", u, v, 0},
	} {
		meta := mustLoad(t, s, oldKey).Meta
		meta.User = c.to
		if err := s.Commit(ctx(t), oldKey, &sessions.Delta{Meta: &meta, MetaFields: c.metaFields}); err != nil {
			t.Fatalf("%s: Commit through the grace alias: %v", c.name, err)
		}
		if got := listed(t, c.to); len(got) != 1 || got[0] != newKey {
			t.Errorf("%s: UserSessions(new user) = %v, want the session under its new key %s…", c.name, short(got), newKey[:8])
		}
		if c.from != "" {
			if got := listed(t, c.from); len(got) != 0 {
				t.Errorf("%s: UserSessions(former user) = %v, want none", c.name, short(got))
			}
		}
	}
	n, err := ux.DeleteUserSessions(ctx(t), v, "")
	if err != nil || n != 1 {
		t.Errorf("DeleteUserSessions = %d, %v; want 1, nil", n, err)
	}
	mustMiss(t, s, newKey)
	mustMiss(t, s, oldKey)
}
