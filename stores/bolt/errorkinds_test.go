package bolt

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/storetest"
	"go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// TestErrorKinds: an error bbolt returns inside a transaction because the
// file does not hold what the store wrote (a nested bucket where a record
// belongs, a nested bucket of the store deleted) wraps
// sessions.ErrStoreUnavailable, like the store's other failures, and says
// what to do; a record that does not decode stays sessions.ErrCorrupt.
func TestErrorKinds(t *testing.T) {
	for _, c := range []struct {
		name        string
		damage      func(tx *bbolt.Tx, root []byte, key string) error
		call        func(t *testing.T, s *Store, key string) error
		unavailable bool   // wraps sessions.ErrStoreUnavailable, else sessions.ErrCorrupt
		says        string // part of the message
	}{
		{
			// The store's own writes delete such a bucket and go on (see
			// TestNestedBucketAtSessionKey); bbolt's error, should a write
			// meet one anyway, still says what to repair.
			name: "a plain put onto a nested bucket in the records bucket",
			damage: func(tx *bbolt.Tx, root []byte, key string) error {
				_, err := tx.Bucket(root).Bucket(bucketRecords).CreateBucket([]byte(key))
				return err
			},
			call: func(t *testing.T, s *Store, key string) error {
				return s.update(t.Context(), func(tx *txn) error {
					return tx.records.Put([]byte(key), []byte("x"))
				})
			},
			unavailable: true,
			says:        "nested bucket",
		},
		{
			// Create or Rename onto such a bucket deletes it and succeeds,
			// but Create still refuses a record that does not decode.
			name: "Create over a record that does not decode",
			damage: func(tx *bbolt.Tx, root []byte, key string) error {
				return tx.Bucket(root).Bucket(bucketRecords).Put([]byte(key), []byte("junk"))
			},
			call: func(t *testing.T, s *Store, key string) error {
				return s.Create(t.Context(), key, storetest.NewRecord(time.Hour))
			},
			says: "bolt: session ",
		},
		{
			name: "Load with the records bucket deleted",
			damage: func(tx *bbolt.Tx, root []byte, _ string) error {
				return tx.Bucket(root).DeleteBucket(bucketRecords)
			},
			call: func(t *testing.T, s *Store, key string) error {
				_, _, err := s.Load(t.Context(), key)
				return err
			},
			unavailable: true,
			says:        "create the store again",
		},
		{
			name: "Cleanup with the top-level bucket deleted",
			damage: func(tx *bbolt.Tx, root []byte, _ string) error {
				return tx.DeleteBucket(root)
			},
			call: func(t *testing.T, s *Store, _ string) error {
				_, err := s.Cleanup(t.Context())
				return err
			},
			unavailable: true,
			says:        "create the store again",
		},
		{
			name: "Commit to a record that does not decode",
			damage: func(tx *bbolt.Tx, root []byte, key string) error {
				return tx.Bucket(root).Bucket(bucketRecords).Put([]byte(key), []byte("junk"))
			},
			call: func(t *testing.T, s *Store, key string) error {
				return s.Commit(t.Context(), key, &sessions.Delta{Set: []sessions.Field{{Key: "x", Value: 1}}})
			},
			says: "bolt: session ",
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := openTest(t, Options{CleanupInterval: -1})
			key := storetest.NewKey(t)
			if err := s.db.Update(func(tx *bbolt.Tx) error { return c.damage(tx, s.root, key) }); err != nil {
				t.Fatal(err)
			}
			err := c.call(t, s, key)
			if err == nil {
				t.Fatal("no error")
			}
			if got := errors.Is(err, sessions.ErrStoreUnavailable); got != c.unavailable {
				t.Errorf("%v: errors.Is(err, ErrStoreUnavailable) = %v, want %v", err, got, c.unavailable)
			}
			if got := errors.Is(err, sessions.ErrCorrupt); got == c.unavailable {
				t.Errorf("%v: errors.Is(err, ErrCorrupt) = %v, want %v", err, got, !c.unavailable)
			}
			if !strings.Contains(err.Error(), c.says) {
				t.Errorf("%v: want a message saying %q", err, c.says)
			}
			if c.says == "nested bucket" && !errors.Is(err, bolterrors.ErrIncompatibleValue) {
				t.Errorf("%v: want bbolt's %v kept in the chain", err, bolterrors.ErrIncompatibleValue)
			}
		})
	}
}
