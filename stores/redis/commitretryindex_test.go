package redis

import (
	"errors"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// TestCommitRetriedKeepsUserIndex proves that a Commit which must update
// the user index still does when its script ran in Redis, its reply was
// lost to a read timeout, and go-redis sent the script again (what it does
// when MaxRetries > 0, the recommended setting): a login must put the
// session in the new user's index, and an expiry moved past the index
// entry's coverage must move the entry's score with it, so that the user's
// "log out everywhere" (DeleteUserSessions) still finds the session. In the
// cluster-safe protocol the first run records the coverage in the record
// and asks the caller to write the index; the second run found it recorded
// and asked for nothing, so the index was never written.
//
// When the reply is lost and the script not sent again, Commit fails with
// ErrStoreUnavailable; the session's next commit of its activity (LastSeen
// and Expires, what an idle timeout sends) must then write the index entry
// the failed one may have skipped.
func TestCommitRetriedKeepsUserIndex(t *testing.T) {
	t.Parallel()
	for _, p := range protocols {
		for _, retry := range []bool{true, false} {
			for _, tc := range []struct {
				name string
				// delta returns the commit to send for the loaded record,
				// and the user and minimum index score (Unix ms) it must
				// leave.
				delta func(rec *sessions.Record) (d *sessions.Delta, user string, score float64)
			}{
				{"Login", func(rec *sessions.Record) (*sessions.Delta, string, float64) {
					m := rec.Meta
					m.User = "bob"
					return &sessions.Delta{Meta: &m, MetaFields: sessions.MetaUser}, "bob", float64(m.Expires / 1e6)
				}},
				{"ExpiryPastCoverage", func(rec *sessions.Record) (*sessions.Delta, string, float64) {
					m := rec.Meta
					m.Expires = time.Now().Add(5 * time.Hour).UnixNano()
					return &sessions.Delta{Meta: &m, MetaFields: sessions.MetaExpires}, "alice", float64(m.Expires / 1e6)
				}},
			} {
				name := p.name + "/" + tc.name + "/Retried"
				if !retry {
					name = p.name + "/" + tc.name + "/Lost"
				}
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					o := p.o
					o.IndexSlack = time.Minute
					s, c, hook, key := hookedSession(t, o, commitScript, retry)
					ctx := t.Context()
					rec, found, err := s.Load(ctx, key)
					if err != nil || !found {
						t.Fatalf("Load: %v, %v", found, err)
					}
					d, user, minScore := tc.delta(rec)
					hook.n.Store(1)
					err = s.Commit(ctx, key, d)
					if n := hook.calls.Load(); n != 1 {
						t.Fatalf("the store ran the commit script %d times, want 1 (the hook re-sends it)", n)
					}
					if retry && err != nil {
						t.Fatalf("Commit whose script reply was lost and re-sent: %v", err)
					}
					if !retry {
						if !errors.Is(err, sessions.ErrStoreUnavailable) {
							t.Fatalf("Commit whose script reply was lost: %v, want ErrStoreUnavailable", err)
						}
						// The next request's activity commit.
						m := *d.Meta
						m.LastSeen = time.Now().UnixNano()
						m.Expires += int64(time.Second)
						next := &sessions.Delta{Meta: &m, MetaFields: sessions.MetaLastSeen | sessions.MetaExpires}
						if err := s.Commit(ctx, key, next); err != nil {
							t.Fatalf("activity commit after the lost one: %v", err)
						}
					}
					list, err := s.UserSessions(ctx, user)
					if err != nil {
						t.Fatal(err)
					}
					if len(list) != 1 || list[0].Key != key {
						t.Errorf("UserSessions(%s) = %v, want the session %s: the lost commit reply left it out of the index", user, list, short(key))
					}
					score, err := c.ZScore(ctx, s.indexKey(user), key).Result()
					if err != nil {
						t.Fatalf("index entry of %s: %v", short(key), err)
					}
					if score < minScore {
						t.Errorf("index entry score %.0f, want at least the session's expiry %.0f: the entry would go before the session", score, minScore)
					}
				})
			}
		}
	}
}
