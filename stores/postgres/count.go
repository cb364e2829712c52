package postgres

import "context"

// Count returns the number of live sessions in the store's table: rows
// that have not expired, of the row format this package reads (a row of
// another version, which Load refuses as corrupt, is not counted; the
// values are not decoded). Rename aliases (a table of their own) and
// expired rows the cleaner has not deleted yet are not counted. It is one query, which reads the whole table (an index
// scan of expires_at at best): meant for administration (sessionsctl
// count) and occasional monitoring, not for requests. It implements
// sessions.Counter.
func (s *Store) Count(ctx context.Context) (int, error) {
	if err := s.check(ctx); err != nil {
		return 0, err
	}
	var n int64
	if err := s.pool.QueryRow(ctx, s.q.count, now()).Scan(&n); err != nil {
		return 0, s.wrap(ctx, "counting sessions", err)
	}
	return int(n), nil
}
