package redis

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
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
			key := storetest.NewKey(t)
			if err := s.Create(ctx, key, storetest.NewRecord(time.Hour)); err != nil {
				t.Fatal(err)
			}
			if err := tc.close(s); err != nil {
				t.Fatal(err)
			}
			storetest.RequireClosedErrors(t, s, key, []string{"Close", "redis.New ", "redis.NewFromURL"}, nil)
			// The go-redis error stays reachable for a caller that checks it.
			if _, _, err := s.Load(ctx, key); !errors.Is(err, redis.ErrClosed) {
				t.Errorf("Load after Close: %v, want an error wrapping redis.ErrClosed", err)
			}
		})
	}
}
