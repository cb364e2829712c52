package bolt

import (
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sessionkit/sessions/internal/syncbuf"
	"github.com/sessionkit/sessions/storetest"
	"go.etcd.io/bbolt"
)

// TestCloseDuringCleanupLogsNothing checks that closing a store while its
// cleaner is deleting expired sessions never makes the cleaner log a
// failed cleanup. Close marked the store closed before it ended the
// cleaner's context, so a batch starting in between failed with the
// closed store's error while the context was live, and was logged as a
// failure. The window is short: the test closes stores mid-cleanup many
// times (the failure came within a few hundred).
func TestCloseDuringCleanupLogsNothing(t *testing.T) {
	db, err := bbolt.Open(filepath.Join(t.TempDir(), "s.db"), 0o600, &bbolt.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var log syncbuf.Buffer
	logger := slog.New(slog.NewTextHandler(&log, nil))
	expired := storetest.NewRecord(time.Hour)
	expired.Expires = time.Now().Add(-time.Hour).UnixNano()
	deadline := time.Now().Add(10 * time.Second)
	for attempt := 0; time.Now().Before(deadline); attempt++ {
		s, err := New(db, Options{Bucket: "b", CleanupInterval: time.Millisecond, CleanupBatch: 1, Logger: logger})
		if err != nil {
			t.Fatal(err)
		}
		for range 200 {
			if err := s.Create(t.Context(), storetest.NewKey(t), expired); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(time.Duration(1+attempt%3) * time.Millisecond) // the cleaner is deleting them, one per batch
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if out := log.String(); strings.Contains(out, "removing expired sessions failed") {
			t.Fatalf("attempt %d: Close during a cleanup made the cleaner log a failure:\n%s", attempt, out)
		}
	}
}
