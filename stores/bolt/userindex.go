package bolt

import (
	"bytes"
	"context"
	"sort"

	"github.com/sessionkit/sessions"
)

// UserSessions lists the live sessions of user, oldest (by Meta.Created)
// first, from the user index: it reads only that user's sessions. A record
// that cannot be decoded is left out of the listing and logged.
func (s *Store) UserSessions(ctx context.Context, user string) ([]sessions.Info, error) {
	if user == "" {
		return nil, s.check(ctx)
	}
	type entry struct {
		key string
		raw []byte
	}
	var entries []entry
	var now int64
	err := s.view(ctx, func(t *txn) error {
		now = t.now
		for _, key := range t.userKeys(user) {
			if raw := t.records.Get([]byte(key)); raw != nil {
				entries = append(entries, entry{key, bytes.Clone(raw)})
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	list := make([]sessions.Info, 0, len(entries))
	for _, e := range entries {
		rec, err := sessions.UnmarshalRecord(e.raw)
		if err != nil {
			s.log.Warn("sessions/bolt: skipping an undecodable session in a user listing; delete it with Delete", "key", e.key, "err", err)
			continue
		}
		if rec.User != user || rec.Expires <= now {
			continue
		}
		list = append(list, sessions.Info{Key: e.key, Meta: rec.Meta})
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].Created != list[j].Created {
			return list[i].Created < list[j].Created
		}
		return list[i].Key < list[j].Key
	})
	return list, nil
}

// DeleteUserSessions deletes every session of user except the one under
// exceptKey ("" for none) in one write transaction and reports how many
// live sessions it deleted. Expired and stale index entries it meets are
// removed too, without being counted.
func (s *Store) DeleteUserSessions(ctx context.Context, user, exceptKey string) (int, error) {
	if user == "" {
		return 0, s.check(ctx)
	}
	n := 0
	err := s.update(ctx, func(t *txn) error {
		n = 0
		for _, key := range t.userKeys(user) {
			if key == exceptKey {
				continue
			}
			if err := t.remove(t.users, bucketUsers, userKey(user, key)); err != nil {
				return err
			}
			rec, err := t.get(key)
			if err == nil && rec != nil && rec.User != user {
				continue // stale entry: the session belongs to someone else now
			}
			if err == nil && rec == nil {
				// No record: nothing to delete but a nested bucket in its
				// place (see txn.remove).
				if err := t.remove(t.records, bucketRecords, []byte(key)); err != nil {
					return err
				}
				continue
			}
			// A record that cannot be decoded is deleted too: the index says
			// it is the user's, and revocation errs on the side of deleting.
			if err := t.del(key, rec); err != nil {
				return err
			}
			if rec == nil || rec.Expires > t.now {
				n++
			}
		}
		return nil
	})
	return n, err
}

// userKeys returns the store keys listed under user in the user index. The
// index key is user|0x00|key with a fixed-length key, so an entry of user
// "a\x00b" is told apart from one of "a" by its length.
func (t *txn) userKeys(user string) []string {
	prefix := append([]byte(user), 0)
	var keys []string
	c := t.users.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		if len(k) == len(prefix)+keyLen {
			keys = append(keys, string(k[len(prefix):]))
		}
	}
	return keys
}
