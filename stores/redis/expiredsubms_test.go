package redis

import (
	"errors"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/storetest"
)

// TestWriteInExpiryMillisecondRevives checks that a write in the
// millisecond in which a record's Meta.Expires passed refuses it as Load
// does: the scripts compare Meta.Expires (ns) with Redis's TIME to the
// microsecond, not to the millisecond, where the rest of that millisecond
// found the record live and a Commit moving the expiry brought back a
// session Load had just called gone. Each attempt that commits within the
// millisecond counts; the test needs a few of them.
func TestWriteInExpiryMillisecondRevives(t *testing.T) {
	t.Parallel()
	c := sharedClient(t)
	for _, proto := range protocols {
		t.Run(proto.name, func(t *testing.T) {
			s := newTestStore(t, c, proto.o)
			ctx := t.Context()
			inWindow := 0
			for attempt := 0; attempt < 200 && inWindow < 10; attempt++ {
				// Expires 50µs into a millisecond 3ms ahead.
				ms := time.Now().UnixNano()/1e6 + 3
				exp := ms*1e6 + 50_000
				key, _ := createExpiring(t, s, exp)
				for time.Now().UnixNano() <= exp { // spin past Meta.Expires
				}
				_, found, err := s.Load(ctx, key)
				if err != nil {
					t.Fatal(err)
				}
				if found {
					continue // not past yet by Load's clock; try again
				}
				m := storetest.NewRecord(time.Hour).Meta
				err = s.Commit(ctx, key, &sessions.Delta{Meta: &m, MetaFields: sessions.MetaExpires})
				if time.Now().UnixNano()/1e6 != ms {
					continue // the millisecond was over: no window; try again
				}
				if errors.Is(err, sessions.ErrNotFound) {
					inWindow++
					continue
				}
				_, back, lerr := s.Load(ctx, key)
				t.Fatalf("attempt %d: Load found no session (its Meta.Expires had passed), then Commit moving the expiry = %v (want ErrNotFound) and Load = found %v, %v: the expired session was brought back",
					attempt, err, back, lerr)
			}
			if inWindow == 0 {
				t.Errorf("no Commit ran within its record's expiry millisecond in 200 attempts: the machine is too slow for this test")
			}
		})
	}
}

// TestWriteBeforeExpiryInItsMillisecond checks the other side of the same
// boundary: a write in the millisecond of a record's Meta.Expires but
// before it finds the record live, as Load does.
func TestWriteBeforeExpiryInItsMillisecond(t *testing.T) {
	t.Parallel()
	c := sharedClient(t)
	for _, proto := range protocols {
		t.Run(proto.name, func(t *testing.T) {
			s := newTestStore(t, c, proto.o)
			ctx := t.Context()
			tried := 0
			for attempt := 0; attempt < 200 && tried < 10; attempt++ {
				// Expires 950µs into a millisecond 2ms ahead; commit early
				// in that millisecond.
				ms := time.Now().UnixNano()/1e6 + 2
				exp := ms*1e6 + 950_000
				key, rec := createExpiring(t, s, exp)
				for time.Now().UnixNano() < ms*1e6 {
				}
				if time.Now().UnixNano() > ms*1e6+200_000 {
					continue // late: try again
				}
				m := rec.Meta
				m.LastSeen = time.Now().UnixNano()
				err := s.Commit(ctx, key, &sessions.Delta{Meta: &m, MetaFields: sessions.MetaLastSeen})
				if time.Now().UnixNano() >= exp {
					continue // too slow to tell
				}
				tried++
				if err != nil {
					t.Fatalf("attempt %d: Commit %v before the record's Meta.Expires, in its millisecond = %v; want it live", attempt, time.Duration(exp-time.Now().UnixNano()), err)
				}
			}
			if tried == 0 {
				t.Errorf("no Commit ran early enough in its record's expiry millisecond in 200 attempts: the machine is too slow for this test")
			}
		})
	}
}

// createExpiring creates a session whose Meta.Expires is exp (Unix ns).
func createExpiring(t *testing.T, s *Store, exp int64) (string, *sessions.Record) {
	t.Helper()
	key := storetest.NewKey(t)
	rec := storetest.NewRecord(time.Hour, "n", 1)
	rec.Expires = exp
	if err := s.Create(t.Context(), key, rec); err != nil {
		t.Fatal(err)
	}
	return key, rec
}
