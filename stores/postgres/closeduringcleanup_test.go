package postgres

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/sessionkit/sessions/internal/syncbuf"
)

// Close while the background cleaner's statement waits on the server (here
// for a table lock another transaction holds) cancels that statement and
// returns at once, rather than waiting for the lock; and the cancelled
// statement is not logged as a failed cleanup.
func TestCloseDuringCleanup(t *testing.T) {
	var logs syncbuf.Buffer
	s := newTestStore(t, Options{
		CleanupInterval: 10 * time.Millisecond,
		Logger:          slog.New(slog.NewTextHandler(&logs, nil)),
	})
	ctx := t.Context()
	lock, err := s.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Rollback(context.Background())
	if _, err := lock.Exec(ctx, "LOCK TABLE "+quote(s.table)+" IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	// Wait until the cleaner's statement queues behind the lock.
	deadline := time.Now().Add(10 * time.Second)
	for {
		var waiting int
		if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = $1::regclass`,
			quote(s.table)).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the cleaner did not reach the locked table within 10s")
		}
		time.Sleep(5 * time.Millisecond)
	}

	closed := make(chan struct{})
	go func() {
		s.Close()
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Error("Close did not return within 5s of a cleanup statement waiting on a lock; it must cancel the statement")
		lock.Rollback(context.Background())
		<-closed
	}
	if l := logs.String(); l != "" {
		t.Errorf("Close logged:\n%s\nwant nothing: a cleanup cancelled by Close did not fail", l)
	}
}
