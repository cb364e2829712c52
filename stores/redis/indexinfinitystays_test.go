package redis

import (
	"math"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/storetest"
)

// TestIndexEntryDropsAfterExpiryGiven checks that a session created without
// an expiry (Meta.Expires 0, indexed at +inf) and then given one by a
// Commit has its user index entry moved to that expiry plus the slack, and
// the index key an expiry, in both protocols. The cluster-safe protocol
// kept +inf (its index writes keep the higher score, ZADD GT), so the
// entry and the index key outlived the session for good.
func TestIndexEntryDropsAfterExpiryGiven(t *testing.T) {
	t.Parallel()
	c := sharedClient(t)
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			s := newTestStore(t, c, p.o)
			ctx := t.Context()
			user, key := "frank", storetest.NewKey(t)
			rec := storetest.NewRecord(time.Hour)
			rec.User, rec.Expires = user, 0
			if err := s.Create(ctx, key, rec); err != nil {
				t.Fatal(err)
			}
			idx := s.indexKey(user)
			if score := c.ZScore(ctx, idx, key).Val(); !math.IsInf(score, 1) {
				t.Fatalf("index entry of a session without expiry scores %v, want +Inf", score)
			}
			m := rec.Meta
			m.Expires = time.Now().Add(time.Minute).UnixNano()
			if err := s.Commit(ctx, key, &sessions.Delta{Meta: &m, MetaFields: sessions.MetaExpires | sessions.MetaLastSeen}); err != nil {
				t.Fatal(err)
			}
			score, err := c.ZScore(ctx, idx, key).Result()
			limit := float64(m.Expires/1e6 + indexSlack(s).Milliseconds() + 1)
			if err != nil || math.IsInf(score, 0) || score > limit {
				t.Errorf("index entry after the Commit giving an expiry scores %v (%v), want at most %v (the expiry plus the slack)", score, err, limit)
			}
			if ttl := c.PTTL(ctx, idx).Val(); ttl < 0 {
				t.Errorf("index key PTTL %v after the Commit giving an expiry, want one", ttl)
			}
		})
	}
}
