package bolt

import (
	"bytes"
	"context"

	"github.com/sessionkit/sessions"
)

// countChunk is how many records Count reads per read transaction. bbolt
// cannot grow its memory map while a read transaction is open: a write
// that grows the file waits for the open ones, and every other write
// waits behind it. A chunk is short; a walk over every record is not.
const countChunk = 1024

// Count returns the number of live sessions: records that have not expired
// and that decode. Rename aliases (a bucket of their own), expired records
// the cleaner has not deleted yet, records that cannot be decoded
// (logged, as UserSessions does) and entries under a name that is no store
// key (which Load never returns) are not counted. It decodes every record,
// in read transactions of a thousand or so records each, so that it never
// holds up writers for long: a write that grows the file must wait for the
// read transactions open at the time. Meant for administration
// (sessionsctl count) and occasional monitoring, not for requests; as
// sessions.Counter says, the count is not a snapshot. It implements
// sessions.Counter.
func (s *Store) Count(ctx context.Context) (int, error) {
	n, bad := 0, 0
	var after []byte // the last key read, nil before the first chunk
	for done := false; !done; {
		err := s.view(ctx, func(t *txn) error {
			c := t.records.Cursor()
			k, v := c.First()
			if after != nil {
				k, v = c.Seek(after)
				if bytes.Equal(k, after) {
					k, v = c.Next()
				}
			}
			var last []byte
			for i := 0; i < countChunk && k != nil; i++ {
				last = k
				// A nil v is a nested bucket, which the store never makes;
				// an entry under a name that is no store key was written by
				// hand, and Load refuses that name.
				if v != nil && sessions.ValidKey(string(k)) {
					// UnmarshalRecord keeps no reference to v, and the
					// record is dropped before the transaction ends.
					rec, err := sessions.UnmarshalRecord(v)
					switch {
					case err != nil:
						bad++
					case rec.Expires > t.now:
						n++
					}
				}
				k, v = c.Next()
			}
			done = k == nil
			after = bytes.Clone(last) // bbolt's bytes end with the transaction
			return nil
		})
		if err != nil {
			return 0, err
		}
	}
	if bad > 0 {
		s.log.Warn("sessions/bolt: Count skipped undecodable sessions; Load reports each as corrupt, and Delete removes it", "count", bad)
	}
	return n, nil
}
