package bolt

import (
	"testing"
	"time"

	"github.com/sessionkit/sessions/storetest"
	"go.etcd.io/bbolt"
)

// TestCleanupCountsCommittedDeletes: Cleanup reports the sessions its
// committed batches deleted, not those of a batch that failed and was
// rolled back, whose sessions are still on disk.
func TestCleanupCountsCommittedDeletes(t *testing.T) {
	for _, c := range []struct {
		name  string
		batch int
		want  int // sessions deleted for good
	}{
		{"one batch, which fails", 10, 0},
		{"a committed batch, then one that fails", 2, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := openTest(t, Options{CleanupInterval: -1, CleanupBatch: c.batch})
			ctx := t.Context()
			expired := []string{storetest.NewKey(t), storetest.NewKey(t), storetest.NewKey(t)}
			for i, key := range expired {
				if err := s.Create(ctx, key, storetest.NewRecord(-time.Duration(10-i)*time.Second)); err != nil {
					t.Fatal(err)
				}
			}
			// A nested bucket in the expiry index, due after the sessions:
			// deleting it fails, and the batch that reaches it rolls back.
			err := s.db.Update(func(tx *bbolt.Tx) error {
				_, err := tx.Bucket(s.root).Bucket(bucketExpiry).CreateBucket(expiryKey(time.Now().Add(-time.Second).UnixNano(), kindRecord, storetest.NewKey(t)))
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			n, err := s.Cleanup(ctx)
			if err == nil {
				t.Fatal("Cleanup: no error from the batch that could not delete the bucket")
			}
			left := count(t, s, bucketRecords)
			if got := len(expired) - left; got != c.want {
				t.Fatalf("%d sessions deleted for good, want %d", got, c.want)
			}
			if n != c.want {
				t.Errorf("Cleanup = %d, %v; want %d, the sessions deleted by committed batches", n, err, c.want)
			}
		})
	}
}
