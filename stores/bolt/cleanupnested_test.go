package bolt

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/sessionkit/sessions/internal/syncbuf"
	"github.com/sessionkit/sessions/storetest"
	"go.etcd.io/bbolt"
)

// TestCleanupGetsPastNestedBuckets: a nested bucket where the store keeps a
// plain entry (a due expiry index entry, a due rename alias, an expired
// session's user index entry) cannot be deleted as an entry. The cleanup
// removes it, logs it once at Warn, and deletes the other expired sessions
// instead of failing on it on every run and leaving them on disk for good.
func TestCleanupGetsPastNestedBuckets(t *testing.T) {
	for _, c := range []struct {
		name string
		// plant puts the nested bucket into the store's buckets; odd is an
		// expired session of user "u" the test made for it.
		plant func(t *testing.T, root *bbolt.Bucket, odd string) error
	}{
		{"in the expiry index", func(t *testing.T, root *bbolt.Bucket, _ string) error {
			_, err := root.Bucket(bucketExpiry).CreateBucket(expiryKey(time.Now().Add(-9*time.Second).UnixNano(), kindRecord, storetest.NewKey(t)))
			return err
		}},
		{"under a due rename alias", func(t *testing.T, root *bbolt.Bucket, _ string) error {
			key := storetest.NewKey(t)
			if err := root.Bucket(bucketExpiry).Put(expiryKey(time.Now().Add(-9*time.Second).UnixNano(), kindAlias, key), nil); err != nil {
				return err
			}
			_, err := root.Bucket(bucketAliases).CreateBucket([]byte(key))
			return err
		}},
		{"under an expired session's user index entry", func(t *testing.T, root *bbolt.Bucket, odd string) error {
			users := root.Bucket(bucketUsers)
			if err := users.Delete(userKey("u", odd)); err != nil {
				return err
			}
			_, err := users.CreateBucket(userKey("u", odd))
			return err
		}},
	} {
		for _, batch := range []int{1, 2, 500} {
			t.Run(fmt.Sprintf("%s/batch %d", c.name, batch), func(t *testing.T) {
				var log syncbuf.Buffer
				s := openTest(t, Options{
					CleanupInterval: -1,
					CleanupBatch:    batch,
					Logger:          slog.New(slog.NewTextHandler(&log, nil)),
				})
				ctx := t.Context()
				odd := storetest.NewKey(t)
				rec := storetest.NewRecord(-10 * time.Second)
				rec.User = "u"
				if err := s.Create(ctx, odd, rec); err != nil {
					t.Fatal(err)
				}
				// Expired sessions due after the nested bucket.
				expired := []string{storetest.NewKey(t), storetest.NewKey(t), storetest.NewKey(t)}
				for i, key := range expired {
					if err := s.Create(ctx, key, storetest.NewRecord(-time.Duration(8-i)*time.Second)); err != nil {
						t.Fatal(err)
					}
				}
				live := storetest.NewKey(t)
				if err := s.Create(ctx, live, storetest.NewRecord(time.Hour)); err != nil {
					t.Fatal(err)
				}
				if err := s.db.Update(func(tx *bbolt.Tx) error { return c.plant(t, tx.Bucket(s.root), odd) }); err != nil {
					t.Fatal(err)
				}
				n1, err1 := s.Cleanup(ctx)
				n2, err2 := s.Cleanup(ctx)
				if err1 != nil || err2 != nil {
					t.Errorf("Cleanup = %d, %v; then %d, %v; want no errors", n1, err1, n2, err2)
				}
				if got, want := n1+n2, 1+len(expired); got != want {
					t.Errorf("Cleanup deleted %d + %d sessions, want %d", n1, n2, want)
				}
				if got := count(t, s, bucketRecords); got != 1 {
					t.Errorf("%d records left, want 1 (the live session)", got)
				}
				if got := count(t, s, bucketExpiry); got != 1 {
					t.Errorf("%d expiry index entries left, want 1 (the live session's)", got)
				}
				if _, found, err := s.Load(ctx, live); !found || err != nil {
					t.Errorf("Load of the live session: found %v, %v", found, err)
				}
				got := log.String()
				if n := strings.Count(got, "level=WARN"); n != 1 || !strings.Contains(got, "nested bucket") {
					t.Errorf("log = %q, want one Warn about the nested bucket", got)
				}
			})
		}
	}
}
