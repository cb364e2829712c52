package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"time"
)

// clean is the background cleaner. It runs until Close closes s.stop.
func (s *Store) clean(interval time.Duration) {
	defer close(s.done)
	// Close cancels stopCtx too, so a batch in progress ends early.
	ctx := s.stopCtx
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-tick.C:
			if _, err := s.cleanup(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("sessions/bolt: removing expired sessions failed; will retry", "err", err)
			}
		}
	}
}

// Cleanup deletes every session and rename alias that has expired, in write
// transactions of Options.CleanupBatch entries each, and reports how many
// sessions it deleted. The background cleaner calls it every
// Options.CleanupInterval; call it yourself when the cleaner is disabled.
// It reads only the entries that are due, through the expiry index. An
// index entry the store never writes is dropped, and a nested bucket found
// where the store keeps a plain entry (an index entry, or the record or alias
// a due entry names) is deleted and logged at Warn, so that neither stops
// the cleanup there on every run. When a batch fails, Cleanup returns its
// error with the count of the batches committed before it: the failed batch
// deleted nothing.
func (s *Store) Cleanup(ctx context.Context) (int, error) {
	if err := s.check(ctx); err != nil {
		return 0, err
	}
	return s.cleanup(ctx)
}

func (s *Store) cleanup(ctx context.Context) (int, error) {
	total := 0
	for {
		n, more := 0, false
		err := s.update(ctx, func(t *txn) error {
			var err error
			n, more, err = t.cleanBatch(s.batch)
			return err
		})
		if err != nil {
			return total, err // the batch rolled back: its deletes did not happen
		}
		total += n
		if !more {
			return total, nil
		}
	}
}

// cleanBatch deletes up to limit due entries of the expiry index, with the
// records or aliases they point to, and reports how many records it deleted
// and whether more entries may be due. An entry whose record has since moved
// on (a later expiry, another user) is stale and only the entry goes.
func (t *txn) cleanBatch(limit int) (deleted int, more bool, err error) {
	var due [][]byte
	c := t.expiry.Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		// An entry too short to hold a time is not one the store wrote: it
		// counts as due, to be dropped, rather than ending the walk there
		// on every run.
		if len(k) >= 8 && unsortable(binary.BigEndian.Uint64(k)) > t.now {
			break
		}
		if len(due) == limit {
			more = true // only when another entry is due: no empty pass
			break
		}
		due = append(due, bytes.Clone(k))
	}
	for _, k := range due {
		if err := t.remove(t.expiry, bucketExpiry, k); err != nil {
			return deleted, more, err
		}
		if len(k) != 9+keyLen {
			continue // not an entry the store wrote (see expiryKey): dropped
		}
		exp, kind, key := unsortable(binary.BigEndian.Uint64(k)), k[8], string(k[9:])
		switch kind {
		case kindRecord:
			if t.records.Get([]byte(key)) == nil {
				// No record: nothing to delete but a nested bucket in its
				// place (see txn.remove).
				if err := t.remove(t.records, bucketRecords, []byte(key)); err != nil {
					return deleted, more, err
				}
				continue
			}
			rec, err := t.get(key)
			if err == nil && rec.Expires != exp && rec.Expires > t.now {
				continue // stale entry: the record lives on under a later expiry
			}
			if err := t.del(key, rec); err != nil {
				return deleted, more, err
			}
			deleted++
		case kindAlias:
			if aexp, _, ok := parseAlias(t.aliases.Get([]byte(key))); ok && aexp != exp && aexp > t.now {
				continue
			}
			if err := t.remove(t.aliases, bucketAliases, []byte(key)); err != nil {
				return deleted, more, err
			}
		}
	}
	return deleted, more, nil
}
