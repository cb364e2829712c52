package redis

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/storetest"
)

// TestClosedStoreErrorSaysClosed: the error of a store whose client is
// closed (Store.Close of a store made by NewFromURL, or the caller's Close
// of the client given to New) keeps wrapping sessions.ErrStoreUnavailable
// (the manager answers it with 503) and redis.ErrClosed, but its text says
// the client was closed and what to do, not that requests resume when the
// store returns: a closed client never does.
func TestClosedStoreErrorSaysClosed(t *testing.T) {
	shared := sharedClient(t) // skips the test when no server is reachable
	for _, tc := range []struct {
		name  string
		open  func(t *testing.T, prefix string) *Store
		close func(s *Store) error
	}{
		{"NewFromURL, Store.Close", func(t *testing.T, prefix string) *Store {
			s, err := NewFromURL("redis://" + sharedAddr() + "/0?key_prefix=" + prefix)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}, (*Store).Close},
		{"New, the caller's client Close", func(t *testing.T, prefix string) *Store {
			s, err := NewWithOptions(redis.NewClient(testClientOptions(sharedAddr())), Options{Prefix: prefix})
			if err != nil {
				t.Fatal(err)
			}
			return s
		}, func(s *Store) error { return s.c.Close() }},
		{"New with Options.Cluster, the caller's client Close", func(t *testing.T, prefix string) *Store {
			s, err := NewWithOptions(redis.NewClient(testClientOptions(sharedAddr())), Options{Prefix: prefix, Cluster: true})
			if err != nil {
				t.Fatal(err)
			}
			return s
		}, func(s *Store) error { return s.c.Close() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			prefix := testPrefix(t)
			t.Cleanup(func() { deletePrefix(t, shared, prefix) })
			s := tc.open(t, prefix)
			key, other := storetest.NewKey(t), storetest.NewKey(t)
			if err := s.Create(ctx, key, storetest.NewRecord(time.Hour)); err != nil {
				t.Fatal(err)
			}
			if err := tc.close(s); err != nil {
				t.Fatal(err)
			}
			d := &sessions.Delta{Set: []sessions.Field{{Key: "k", Value: "v"}}}
			for _, c := range []struct {
				method string
				call   func() error
			}{
				{"Load", func() error { _, _, err := s.Load(ctx, key); return err }},
				{"Create", func() error { return s.Create(ctx, other, storetest.NewRecord(time.Hour)) }},
				{"Commit", func() error { return s.Commit(ctx, key, d) }},
				{"Increment", func() error { _, err := s.Increment(ctx, key, "n", 1); return err }},
				{"Rename", func() error { return s.Rename(ctx, key, other, time.Second) }},
				{"Delete", func() error { return s.Delete(ctx, key) }},
				{"UserSessions", func() error { _, err := s.UserSessions(ctx, "alice"); return err }},
				{"DeleteUserSessions", func() error { _, err := s.DeleteUserSessions(ctx, "alice", ""); return err }},
			} {
				err := c.call()
				if !errors.Is(err, sessions.ErrStoreUnavailable) || !errors.Is(err, redis.ErrClosed) {
					t.Fatalf("%s after Close: %v, want an error wrapping ErrStoreUnavailable and redis.ErrClosed", c.method, err)
				}
				msg := err.Error()
				for _, bad := range []string{"resume", "network"} {
					if strings.Contains(msg, bad) {
						t.Errorf("%s after Close: %q says %q, which a closed client never does", c.method, msg, bad)
					}
				}
				for _, want := range []string{"Close", "redis.New ", "redis.NewFromURL"} {
					if !strings.Contains(msg, want) {
						t.Errorf("%s after Close: %q does not name %q (what closed it, what to do)", c.method, msg, want)
					}
				}
			}
		})
	}
}
