package bolt

import (
	"testing"
	"time"

	"github.com/sessionkit/sessions/storetest"
	"go.etcd.io/bbolt"
)

// TestCleanupSkipsMalformedIndexEntries: an expiry index entry the store
// never writes (too short to hold a time, or naming something that is not
// a store key) is dropped by the cleanup, which goes on to the due entries
// after it instead of stopping there on every run, or failing, and leaving
// every expired session after it on disk for good.
func TestCleanupSkipsMalformedIndexEntries(t *testing.T) {
	for _, c := range []struct {
		name  string
		entry []byte
	}{
		{"shorter than a time", []byte{0x00}},
		{"empty key", expiryKey(1, kindRecord, "")},
		{"short key", expiryKey(1, kindRecord, "abc")},
		{"unknown kind", expiryKey(1, 'z', storetest.NewKey(t))},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := openTest(t, Options{CleanupInterval: -1})
			ctx := t.Context()
			expired := storetest.NewKey(t)
			if err := s.Create(ctx, expired, storetest.NewRecord(-time.Second)); err != nil {
				t.Fatal(err)
			}
			err := s.db.Update(func(tx *bbolt.Tx) error {
				root := tx.Bucket(s.root)
				if len(c.entry) > 9 {
					// A record under the odd key, so that the cleanup reads it.
					if err := root.Bucket(bucketRecords).Put(c.entry[9:], []byte("junk")); err != nil {
						return err
					}
				}
				return root.Bucket(bucketExpiry).Put(c.entry, nil)
			})
			if err != nil {
				t.Fatal(err)
			}
			n, err := s.Cleanup(ctx)
			if err != nil || n < 1 {
				t.Fatalf("Cleanup = %d, %v; want the expired session deleted and no error", n, err)
			}
			if got := count(t, s, bucketExpiry); got != 0 {
				t.Errorf("expiry index holds %d entries after Cleanup, want 0", got)
			}
			if _, found, err := s.Load(ctx, expired); found || err != nil {
				t.Errorf("Load of the expired session: found %v, %v", found, err)
			}
		})
	}
}
