package bolt

import (
	"context"

	"github.com/sessionkit/sessions"
)

// Count returns the number of live sessions: records that have not expired
// and that decode. Rename aliases (a bucket of their own), expired records
// the cleaner has not deleted yet and records that cannot be decoded
// (logged, as UserSessions does) are not counted. It decodes every record
// in one read transaction, which never holds up writers: meant for
// administration (sessionsctl count) and occasional monitoring, not for
// requests. It implements sessions.Counter.
func (s *Store) Count(ctx context.Context) (int, error) {
	n, bad := 0, 0
	err := s.view(ctx, func(t *txn) error {
		c := t.records.Cursor()
		i := 0
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if i++; i%1024 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			if v == nil {
				continue // a nested bucket, which the store never makes
			}
			// UnmarshalRecord keeps no reference to v, and the record
			// is dropped before the transaction ends.
			rec, err := sessions.UnmarshalRecord(v)
			if err != nil {
				bad++
				continue
			}
			if rec.Expires > t.now {
				n++
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	if bad > 0 {
		s.log.Warn("sessions/bolt: Count skipped undecodable sessions; Load reports each as corrupt, and Delete removes it", "count", bad)
	}
	return n, nil
}
