package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// clean is the background cleaner. It runs until Close closes s.stop.
func (s *Store) clean(interval time.Duration) {
	defer close(s.done)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-tick.C:
			// Close cancels stopCtx, which ends a statement in flight.
			if _, err := s.cleanup(s.stopCtx); err != nil && s.stopCtx.Err() == nil {
				s.log.Warn("sessions/postgres: removing expired sessions failed; will retry", "table", s.table, "err", err)
			}
		}
	}
}

// Cleanup deletes every expired session (values cascade) and rename alias,
// Options.CleanupBatch rows per statement, and reports how many sessions it
// deleted. Each statement picks its rows through the expires_at index and
// skips rows other transactions hold (FOR UPDATE SKIP LOCKED), so it never
// locks the table or waits on a request. The background cleaner calls it
// every Options.CleanupInterval; with the cleaner disabled, call it from a
// job. Any number of application instances may run it at once.
func (s *Store) Cleanup(ctx context.Context) (int, error) {
	if err := s.check(ctx); err != nil {
		return 0, err
	}
	return s.cleanup(ctx)
}

func (s *Store) cleanup(ctx context.Context) (int, error) {
	total := 0
	for _, q := range [...]struct {
		sql      string
		sessions bool
	}{{s.q.cleanSessions, true}, {s.q.cleanAliases, false}} {
		for {
			// In a READ COMMITTED transaction, as every write: a row
			// another instance deleted since the statement began is
			// skipped, where a stricter default isolation would fail the
			// statement with a serialization error.
			var n int
			if err := s.tx(ctx, stmt{sql: q.sql, args: []any{now(), s.batch},
				scan: func(r pgx.Row) error { return r.Scan(&n) }}); err != nil {
				return total, s.wrap(ctx, "removing expired sessions", err)
			}
			if q.sessions {
				total += n
			}
			if n < s.batch {
				break
			}
		}
	}
	return total, nil
}
