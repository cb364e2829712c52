package bolt

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"time"

	"github.com/sessionkit/sessions"
)

// Load returns the live record under key, or under the new key of a rename
// whose grace has not passed. It reads in one bbolt read transaction and
// decodes a copy of the stored bytes after the transaction has ended. A key
// that is not a store key (sessions.ValidKey) is simply not found. Through
// a rename alias it reports the new key with sessions.ReportAlias.
func (s *Store) Load(ctx context.Context, key string) (*sessions.Record, bool, error) {
	rec, at, found, err := s.loadResolved(ctx, key)
	if found && at != key {
		sessions.ReportAlias(ctx, at)
	}
	return rec, found, err
}

// loadResolved is Load that also returns the key the record is stored
// under (key, or where key's grace alias leads).
func (s *Store) loadResolved(ctx context.Context, key string) (*sessions.Record, string, bool, error) {
	if err := s.check(ctx); err != nil {
		return nil, "", false, err
	}
	if !sessions.ValidKey(key) {
		return nil, "", false, nil
	}
	var raw []byte
	var now int64
	at := key
	err := s.view(ctx, func(t *txn) error {
		now = t.now
		at = t.resolve(key)
		raw = bytes.Clone(t.records.Get([]byte(at)))
		return nil
	})
	if err != nil || raw == nil {
		return nil, "", false, err
	}
	rec, err := sessions.UnmarshalRecord(raw)
	if err != nil {
		return nil, "", false, fmt.Errorf("bolt: session %s…: %w", key[:8], err)
	}
	if rec.Expires <= now {
		return nil, "", false, nil
	}
	return rec, at, true, nil
}

// Create stores rec under key unless a live session (or a live rename
// alias) already holds the key, in which case it returns an error wrapping
// sessions.ErrExists. An expired record under key is replaced. A record that
// would exceed sessions.DefaultMaxRecordSize is refused with
// sessions.ErrTooLarge.
func (s *Store) Create(ctx context.Context, key string, rec *sessions.Record) error {
	if err := s.check(ctx); err != nil { // closed before a key is judged
		return err
	}
	if !sessions.ValidKey(key) {
		return badKey(key)
	}
	b, err := marshal(rec) // before taking the writer lock
	if err != nil {
		return err
	}
	return s.update(ctx, func(t *txn) error {
		taken, err := t.taken(key)
		if err != nil {
			return err
		}
		if taken {
			return fmt.Errorf("%w (bolt: %s…)", sessions.ErrExists, key[:8])
		}
		if err := t.clearKey(key); err != nil {
			return err
		}
		return t.putEncoded(key, nil, rec, b)
	})
}

// Commit applies d to the live record under key (or the one a live rename
// alias reaches) in one write transaction: read, sessions.Record.Apply,
// write. It never creates a record: an absent or expired one is
// sessions.ErrNotFound.
func (s *Store) Commit(ctx context.Context, key string, d *sessions.Delta) error {
	if err := s.check(ctx); err != nil { // closed before a key is judged
		return err
	}
	if !sessions.ValidKey(key) {
		return notFound(key)
	}
	return s.update(ctx, func(t *txn) error {
		target := t.resolve(key)
		old, err := t.getLive(target)
		if err != nil {
			return err
		}
		if old == nil {
			return notFound(key)
		}
		return t.put(target, old, applyInTx(old, d))
	})
}

// Delete removes the record under key and, when key is the old key of a
// rename, the alias (ending its grace early; the renamed session stays).
// Deleting an absent key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := s.check(ctx); err != nil { // closed before a key is judged
		return err
	}
	if !sessions.ValidKey(key) {
		return nil
	}
	return s.update(ctx, func(t *txn) error {
		if err := t.delAlias(key); err != nil {
			return err
		}
		// A corrupt record is deleted all the same. Its index entries cannot
		// be found without decoding it, so they stay behind; every reader of
		// the indexes checks the record they point to. So is a nested bucket
		// under key (see txn.remove).
		old, _ := t.get(key)
		return t.del(key, old)
	})
}

// Increment adds by to the int field of the live record under key in one
// write transaction and returns the new value. An absent field counts as 0.
// Only values of Go type int (what Increment itself stores, and what every
// remote store can increment natively) count as integers; any other type is
// sessions.ErrNotInteger, and so is a result that would overflow int.
func (s *Store) Increment(ctx context.Context, key, field string, by int64) (int64, error) {
	if err := s.check(ctx); err != nil { // closed before a key is judged
		return 0, err
	}
	if !sessions.ValidKey(key) {
		return 0, notFound(key)
	}
	var n int64
	err := s.update(ctx, func(t *txn) error {
		target := t.resolve(key)
		rec, err := t.getLive(target)
		if err != nil {
			return err
		}
		if rec == nil {
			return notFound(key)
		}
		var cur int64
		if v, ok := rec.Lookup(field); ok {
			i, isInt := v.(int)
			if !isInt {
				return fmt.Errorf("%w (bolt: field %q holds %T)", sessions.ErrNotInteger, field, v)
			}
			cur = int64(i)
		}
		if (by > 0 && cur > math.MaxInt-by) || (by < 0 && cur < math.MinInt-by) {
			return fmt.Errorf("%w (bolt: field %q = %d plus %d overflows)", sessions.ErrNotInteger, field, cur, by)
		}
		n = cur + by
		rec.SetField(field, int(n))
		return t.put(target, rec, rec)
	})
	if err != nil {
		return 0, err // the count was not stored
	}
	return n, nil
}

// Rename moves the live record under oldKey to newKey in one write
// transaction, index entries included. With grace > 0 an alias lets oldKey
// reach the record for Load, Commit and Increment until the grace has
// passed; Delete(oldKey) removes it. Rename does not follow aliases: oldKey
// must hold the record itself.
func (s *Store) Rename(ctx context.Context, oldKey, newKey string, grace time.Duration) error {
	return s.rename(ctx, oldKey, newKey, grace, nil)
}

// RenameCommit implements sessions.RenameCommitter: Rename with d applied
// to the record it moves, in the same write transaction (one fsync).
func (s *Store) RenameCommit(ctx context.Context, oldKey, newKey string, grace time.Duration, d *sessions.Delta) error {
	return s.rename(ctx, oldKey, newKey, grace, d)
}

// rename is Rename, applying d (if not nil) to the record it moves.
func (s *Store) rename(ctx context.Context, oldKey, newKey string, grace time.Duration, d *sessions.Delta) error {
	if err := s.check(ctx); err != nil { // closed before a key is judged
		return err
	}
	if !sessions.ValidKey(oldKey) {
		return notFound(oldKey)
	}
	if !sessions.ValidKey(newKey) {
		return badKey(newKey)
	}
	// The old key is judged first (see sessions.Store.Rename): oldKey ==
	// newKey is ErrNotFound without a live record there, and ErrExists,
	// the key being taken by itself, with one.
	return s.update(ctx, func(t *txn) error {
		rec, err := t.getLive(oldKey)
		if err != nil {
			return err
		}
		if rec == nil {
			return notFound(oldKey)
		}
		taken, err := t.taken(newKey)
		if err != nil {
			return err
		}
		if taken {
			return fmt.Errorf("%w (bolt: %s…)", sessions.ErrExists, newKey[:8])
		}
		if err := t.clearKey(newKey); err != nil {
			return err
		}
		if err := t.del(oldKey, rec); err != nil {
			return err
		}
		if err := t.delAlias(oldKey); err != nil {
			return err
		}
		if d != nil {
			rec = applyInTx(rec, d)
		}
		if err := t.put(newKey, nil, rec); err != nil {
			return err
		}
		if grace > 0 {
			return t.putAlias(oldKey, newKey, t.now+int64(min(grace, time.Duration(math.MaxInt64-t.now)))) // no wrap
		}
		return nil
	})
}

func notFound(key string) error {
	return fmt.Errorf("%w (bolt: %s)", sessions.ErrNotFound, short(key))
}

func badKey(key string) error {
	return fmt.Errorf("bolt: %q is not a store key; pass sessions.KeyOf(id), 64 lowercase hex characters", short(key))
}

func short(key string) string {
	if len(key) > 8 {
		return key[:8] + "…"
	}
	return key
}
