package redis

import (
	"testing"
	"time"

	"github.com/sessionkit/sessions/storetest"
)

// TestLoadHonoursDeadline checks that a record whose Meta.Expires has
// passed is absent to Load, Count and UserSessions even while Redis still
// holds its hash (and, in the cluster-safe protocol, the user index its
// entry, which is kept for Options.IndexSlack past the expiry):
// the deadline is the record's, and Redis's own expiry only reclaims the
// memory. Redis keeps such a hash when its clock runs behind the
// application's, or when the key lost its TTL (a restore, a PERSIST by an
// operator); the test drops the TTL.
func TestLoadHonoursDeadline(t *testing.T) {
	t.Parallel()
	c := sharedClient(t)
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			s := newTestStore(t, c, p.o)
			ctx := t.Context()
			key := storetest.NewKey(t)
			rec := storetest.NewRecord(100*time.Millisecond, "x", 1)
			rec.User = "dora"
			if err := s.Create(ctx, key, rec); err != nil {
				t.Fatal(err)
			}
			if err := c.Persist(ctx, s.hashKey(key)).Err(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(150 * time.Millisecond)
			if rec, found, err := s.Load(ctx, key); found || err != nil {
				t.Errorf("Load of a record past its Meta.Expires: %+v, found %v, %v; want not found", rec, found, err)
			}
			if n, err := s.Count(ctx); n != 0 || err != nil {
				t.Errorf("Count with a record past its Meta.Expires: %d, %v; want 0", n, err)
			}
			if list, err := s.UserSessions(ctx, rec.User); len(list) != 0 || err != nil {
				t.Errorf("UserSessions with a record past its Meta.Expires: %+v, %v; want none", list, err)
			}
		})
	}
}
