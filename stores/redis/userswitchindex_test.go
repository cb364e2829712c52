package redis

import (
	"slices"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/storetest"
)

// TestUserSwitchIndexesNewUser checks that a Commit that gives a logged-in
// session to another user puts it in the new user's index, also when the
// commit moves the expiry only a little (within the coverage the cluster-safe
// protocol recorded for the first user's entry, see Options.IndexSlack):
// the new user's "log out everywhere" must find the session.
func TestUserSwitchIndexesNewUser(t *testing.T) {
	t.Parallel()
	c := sharedClient(t)
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			s := newTestStore(t, c, p.o)
			ctx := t.Context()
			key := storetest.NewKey(t)
			rec := storetest.NewRecord(time.Hour, "x", 1)
			rec.User = "alice"
			if err := s.Create(ctx, key, rec); err != nil {
				t.Fatal(err)
			}
			m := rec.Meta
			m.User = "bob"
			m.Expires = time.Now().Add(time.Hour + time.Minute).UnixNano()
			if err := s.Commit(ctx, key, &sessions.Delta{Meta: &m, MetaFields: sessions.MetaUser | sessions.MetaExpires}); err != nil {
				t.Fatal(err)
			}
			list, err := s.UserSessions(ctx, "bob")
			if err != nil {
				t.Fatal(err)
			}
			if !slices.ContainsFunc(list, func(in sessions.Info) bool { return in.Key == key }) {
				t.Errorf("UserSessions(bob) after the session passed from alice to bob = %+v, want the session %s", list, short(key))
			}
			if list, err := s.UserSessions(ctx, "alice"); len(list) != 0 || err != nil {
				t.Errorf("UserSessions(alice) after the session passed to bob = %+v, %v; want none", list, err)
			}
		})
	}
}
