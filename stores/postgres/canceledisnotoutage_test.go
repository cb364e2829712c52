package postgres

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/storetest"
)

// A call whose context is cancelled while its statement waits on the server
// (here for table locks another transaction holds) fails with an error
// wrapping context.Canceled, and not sessions.ErrStoreUnavailable: the
// caller gave up, the store did not fail, and the manager must not answer
// 503 or log an outage for it.
func TestCanceledIsNotOutage(t *testing.T) {
	s := newTestStore(t, Options{CleanupInterval: -1})
	key, other := storetest.NewKey(t), storetest.NewKey(t)
	mustCreateRec(t, s, key, storetest.NewRecord(time.Hour))
	tables := []string{quote(s.table), quote(s.table + "_values"), quote(s.table + "_aliases")}
	for _, c := range storeCalls(s, key, other) {
		t.Run(c.method, func(t *testing.T) {
			lock, err := s.pool.Begin(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			defer lock.Rollback(context.Background())
			for _, tbl := range tables {
				if _, err := lock.Exec(t.Context(), "LOCK TABLE "+tbl+" IN ACCESS EXCLUSIVE MODE"); err != nil {
					t.Fatal(err)
				}
			}
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- c.call(ctx) }()
			deadline := time.Now().Add(10 * time.Second)
			for {
				var waiting int
				if err := s.pool.QueryRow(t.Context(), `SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = ANY($1::text[]::regclass[])`,
					tables).Scan(&waiting); err != nil {
					t.Fatal(err)
				}
				if waiting > 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("%s did not wait for the locked tables within 10s", c.method)
				}
				time.Sleep(5 * time.Millisecond)
			}
			cancel()
			err = <-done
			if !errors.Is(err, context.Canceled) || errors.Is(err, sessions.ErrStoreUnavailable) {
				t.Errorf("%s cancelled while waiting: %v; want an error wrapping context.Canceled and not ErrStoreUnavailable", c.method, err)
			}
		})
	}
}
