package redis

import (
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/storetest"
)

// TestUserIndexPlacedAtStoredExpiry checks a commit that names the user
// but not the expiry (Delta.MetaFields without MetaExpires), made from
// metadata read before another request moved the expiry on: the record
// keeps the later expiry, and the user's index entry must follow it, not
// the request's stale one, or the live session drops out of UserSessions
// and DeleteUserSessions once that stale time passes.
func TestUserIndexPlacedAtStoredExpiry(t *testing.T) {
	t.Parallel()
	c := sharedClient(t)
	for _, o := range []Options{{}, {Cluster: true, IndexSlack: time.Millisecond}} {
		t.Run(map[bool]string{false: "SingleNode", true: "ClusterSafe"}[o.Cluster], func(t *testing.T) {
			t.Parallel()
			s := newTestStore(t, c, o)
			ctx := t.Context()
			key, rec := storetest.NewKey(t), storetest.NewRecord(300*time.Millisecond, "x", 1)
			rec.User = "alice"
			if err := s.Create(ctx, key, rec); err != nil {
				t.Fatal(err)
			}
			later := rec.Meta // one request records activity: an hour more
			later.Expires = time.Now().Add(time.Hour).UnixNano()
			if err := s.Commit(ctx, key, &sessions.Delta{Meta: &later, MetaFields: sessions.MetaExpires}); err != nil {
				t.Fatal(err)
			}
			stale := rec.Meta // another, from the old metadata, hands it to bob
			stale.User = "bob"
			if err := s.Commit(ctx, key, &sessions.Delta{Meta: &stale, MetaFields: sessions.MetaUser}); err != nil {
				t.Fatal(err)
			}
			time.Sleep(400 * time.Millisecond) // past the stale expiry
			if _, found, err := s.Load(ctx, key); !found || err != nil {
				t.Fatalf("Load = %v, %v; want the session, which expires in an hour", found, err)
			}
			if l, err := s.UserSessions(ctx, "bob"); err != nil || len(l) != 1 {
				t.Errorf("UserSessions(bob) = %v, %v; want bob's live session", l, err)
			}
			if n, err := s.DeleteUserSessions(ctx, "bob", ""); err != nil || n != 1 {
				t.Errorf("DeleteUserSessions(bob) = %d, %v; want 1", n, err)
			}
		})
	}
}
