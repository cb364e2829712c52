package bolt

import (
	"testing"
	"time"

	"github.com/sessionkit/sessions/storetest"
)

// TestCountAcrossChunks checks that Count, which reads the records in
// chunks of countChunk per read transaction, counts every record once: the
// record a chunk ends on is neither skipped nor counted again by the next.
func TestCountAcrossChunks(t *testing.T) {
	for _, n := range []int{countChunk - 1, countChunk, countChunk + 1, 2*countChunk + 1} {
		s := openTest(t, Options{CleanupInterval: -1})
		ctx := t.Context()
		// One write transaction for them all: a Create each would fsync
		// thousands of times.
		err := s.update(ctx, func(tx *txn) error {
			for range n {
				if err := tx.put(storetest.NewKey(t), nil, storetest.NewRecord(time.Hour)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if got, err := s.Count(ctx); err != nil || got != n {
			t.Errorf("Count of %d records = %d, %v; want %d", n, got, err, n)
		}
	}
}
