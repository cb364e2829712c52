package redis

import (
	"strconv"
	"testing"
	"time"

	"github.com/sessionkit/sessions/storetest"
)

// TestIndexAddKeepsHigherScore checks that the cluster-safe protocol's
// index write never lowers an entry's score: two commits of one session
// may write the index out of order (a reply lost and the write retried, or
// two requests racing), and the earlier coverage arriving last must not
// let the entry, and the index key, expire before the session it covers.
func TestIndexAddKeepsHigherScore(t *testing.T) {
	t.Parallel()
	c := sharedClient(t)
	s := newTestStore(t, c, Options{Cluster: true})
	ctx := t.Context()
	user, key := "erin", storetest.NewKey(t)
	now := time.Now()
	high := now.Add(3 * time.Hour).UnixMilli()
	low := now.Add(time.Hour).UnixMilli()
	for _, score := range []int64{high, low} {
		if err := s.indexAdd(ctx, user, key, strconv.FormatInt(score, 10)); err != nil {
			t.Fatal(err)
		}
	}
	if got := c.ZScore(ctx, s.indexKey(user), key).Val(); int64(got) != high {
		t.Errorf("index score after a lower coverage arrived last = %d, want the higher %d", int64(got), high)
	}
	if ttl := c.PTTL(ctx, s.indexKey(user)).Val(); ttl < 2*time.Hour {
		t.Errorf("index key TTL after a lower coverage arrived last = %v, want about 3h", ttl)
	}
}
