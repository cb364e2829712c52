package redis

import (
	"errors"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/redis/redistest"
	"github.com/sessionkit/sessions/storetest"
)

// TestValuesCommitRefusedInTransaction proves that a values-only Commit that
// both sets and deletes values, which is sent as MULTI/EXEC, reads as an
// outage (an error wrapping ErrStoreUnavailable) on a server that refuses
// writes, as the other commits do. Redis refuses each queued write (OOM,
// READONLY) and answers EXEC with EXECABORT, an error reply that on its own
// says nothing about the server, so the commit failed with a plain error: a
// 500 instead of a 503.
func TestValuesCommitRefusedInTransaction(t *testing.T) {
	for _, tc := range []struct {
		name   string
		refuse []any
	}{
		{"OOM", []any{"CONFIG", "SET", "maxmemory", "1"}},
		{"READONLY", []any{"REPLICAOF", "127.0.0.1", "1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := redistest.StartServer(t)
			c := redis.NewClient(testClientOptions(srv.Addr()))
			t.Cleanup(func() { c.Close() })
			ctx := t.Context()
			s := New(c)
			key := storetest.NewKey(t)
			if err := s.Create(ctx, key, storetest.NewRecord(time.Hour, "n", 1, "m", 2)); err != nil {
				t.Fatal(err)
			}
			if err := c.Do(ctx, tc.refuse...).Err(); err != nil {
				t.Fatal(err)
			}
			for _, d := range []*sessions.Delta{
				{Set: []sessions.Field{{Key: "n", Value: 2}}},
				{Set: []sessions.Field{{Key: "n", Value: 2}}, Del: []string{"m"}},
			} {
				if err := s.Commit(ctx, key, d); !errors.Is(err, sessions.ErrStoreUnavailable) {
					t.Errorf("Commit(set %d, del %d) on a server refusing writes: err = %v, want one wrapping ErrStoreUnavailable", len(d.Set), len(d.Del), err)
				}
			}
			got, found, err := s.Load(ctx, key)
			if err != nil || !found {
				t.Fatalf("Load: %v, %v", found, err)
			}
			if n, _ := got.Lookup("n"); n != 1 || len(got.Fields) != 2 {
				t.Errorf("session changed by refused writes: %+v", got.Fields)
			}
		})
	}
}
