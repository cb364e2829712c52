package bolt

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/sessionkit/sessions/storetest"
	"go.etcd.io/bbolt"
)

// TestCleanupCountsCommittedDeletes: Cleanup reports the sessions its
// committed batches deleted, not those of a batch that failed, whose
// sessions are still on disk. Here the batches after the one that dropped a
// nested bucket from the expiry index fail: the store's Warn about it ends
// the Cleanup's context.
func TestCleanupCountsCommittedDeletes(t *testing.T) {
	for _, c := range []struct {
		name  string
		batch int
		want  int // sessions deleted for good
	}{
		{"the bucket alone in the second batch", 1, 1},
		{"the bucket second in the first batch", 2, 1},
		{"a session after the bucket in the first batch", 3, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			s := openTest(t, Options{
				CleanupInterval: -1,
				CleanupBatch:    c.batch,
				Logger:          slog.New(cancelHandler{cancel}),
			})
			expired := []string{storetest.NewKey(t), storetest.NewKey(t), storetest.NewKey(t), storetest.NewKey(t)}
			for i, key := range expired {
				if err := s.Create(ctx, key, storetest.NewRecord(-time.Duration(10-2*i)*time.Second)); err != nil {
					t.Fatal(err)
				}
			}
			// A nested bucket in the expiry index, due between the first
			// two sessions.
			err := s.db.Update(func(tx *bbolt.Tx) error {
				_, err := tx.Bucket(s.root).Bucket(bucketExpiry).CreateBucket(expiryKey(time.Now().Add(-9*time.Second).UnixNano(), kindRecord, storetest.NewKey(t)))
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			n, err := s.Cleanup(ctx)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("Cleanup = %d, %v; want the batch after the Warn to fail with context.Canceled", n, err)
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

// cancelHandler is a slog.Handler that calls cancel on every record.
type cancelHandler struct{ cancel context.CancelFunc }

func (h cancelHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h cancelHandler) Handle(context.Context, slog.Record) error {
	h.cancel()
	return nil
}

func (h cancelHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h cancelHandler) WithGroup(string) slog.Handler      { return h }
