package postgres

import "context"

// Count returns the number of live sessions in the store's table: rows
// that have not expired, of the row format this package reads. Rename
// aliases (a table of their own), expired rows the cleaner has not deleted
// yet and rows of another format version (which Load refuses as corrupt)
// are not counted. Values are not read: a live row one of whose values
// does not decode is counted, although Load refuses it as corrupt (the
// manager deletes it when a request presents its ID): telling it apart
// would mean reading and decoding the whole values table. It is one
// query, which reads the whole sessions table (an index scan of expires_at
// at best): meant for administration (sessionsctl count) and occasional
// monitoring, not for requests. It implements sessions.Counter.
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
