package redis

import (
	"testing"
	"time"

	"github.com/sessionkit/sessions/storetest"
)

// TestCreateOverMarkerTakesRecordExpiry checks that a Create onto a key
// renamed away without grace, whose marker expires after retiredTTL, gives
// the new record its own expiry: none for a record without Meta.Expires
// (the marker's TTL would otherwise delete the session a minute later),
// and its deadline for one with it.
func TestCreateOverMarkerTakesRecordExpiry(t *testing.T) {
	t.Parallel()
	c := sharedClient(t)
	for _, p := range protocols {
		for _, tc := range []struct {
			name string
			ttl  time.Duration // 0: no expiry
		}{{"no expiry", 0}, {"expiry", time.Hour}} {
			t.Run(p.name+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				s := newTestStore(t, c, p.o)
				ctx := t.Context()
				key, moved := storetest.NewKey(t), storetest.NewKey(t)
				if err := s.Create(ctx, key, storetest.NewRecord(time.Hour, "x", 1)); err != nil {
					t.Fatal(err)
				}
				if err := s.Rename(ctx, key, moved, 0); err != nil {
					t.Fatal(err)
				}
				rec := storetest.NewRecord(tc.ttl, "y", 2)
				if tc.ttl == 0 {
					rec.Expires = 0
				}
				if err := s.Create(ctx, key, rec); err != nil {
					t.Fatal(err)
				}
				pttl := c.PTTL(ctx, s.hashKey(key)).Val()
				switch {
				case tc.ttl == 0 && pttl != -1:
					t.Errorf("Create without expiry over a marker: the record's TTL is %v, want none (-1)", pttl)
				case tc.ttl > 0 && (pttl < tc.ttl-time.Minute || pttl > tc.ttl+time.Millisecond):
					t.Errorf("Create with a %v expiry over a marker: the record's TTL is %v", tc.ttl, pttl)
				}
			})
		}
	}
}
