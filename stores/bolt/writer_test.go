package bolt

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/storetest"
)

// TestWriteWaitWatchesContext holds the writer lock with a slow write and
// sends every kind of write with a context that ends meanwhile: each must
// return its context's error while the slow write still holds the lock,
// not queue behind it, and must have written nothing.
func TestWriteWaitWatchesContext(t *testing.T) {
	s := openTest(t, Options{CleanupInterval: -1})
	ctx := t.Context()
	key, other := storetest.NewKey(t), storetest.NewKey(t)
	if err := s.Create(ctx, key, storetest.NewRecord(time.Hour, "n", 1)); err != nil {
		t.Fatal(err)
	}

	held, release := make(chan struct{}), make(chan struct{})
	slow := make(chan error, 1)
	go func() {
		slow <- s.update(ctx, func(*txn) error {
			close(held)
			<-release
			return nil
		})
	}()
	<-held

	writes := []struct {
		name string
		fn   func(ctx context.Context) error
	}{
		{"Create", func(ctx context.Context) error { return s.Create(ctx, other, storetest.NewRecord(time.Hour)) }},
		{"Commit", func(ctx context.Context) error {
			return s.Commit(ctx, key, &sessions.Delta{Set: []sessions.Field{{Key: "n", Value: 2}}})
		}},
		{"Increment", func(ctx context.Context) error { _, err := s.Increment(ctx, key, "n", 1); return err }},
		{"Rename", func(ctx context.Context) error { return s.Rename(ctx, key, other, 0) }},
		{"Delete", func(ctx context.Context) error { return s.Delete(ctx, key) }},
		{"Cleanup", func(ctx context.Context) error { _, err := s.Cleanup(ctx); return err }},
	}
	var wg sync.WaitGroup
	errs := make([]error, len(writes))
	for i, w := range writes {
		wg.Go(func() {
			wctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
			defer cancel()
			errs[i] = w.fn(wctx)
		})
	}
	returned := make(chan struct{})
	go func() { wg.Wait(); close(returned) }()
	select {
	case <-returned:
	case <-time.After(10 * time.Second):
		t.Error("writes whose context ended still wait for the writer lock")
	}
	close(release)
	if err := <-slow; err != nil {
		t.Fatalf("the slow write: %v", err)
	}
	<-returned
	for i, w := range writes {
		if !errors.Is(errs[i], context.DeadlineExceeded) {
			t.Errorf("%s while the lock is held: %v, want context.DeadlineExceeded", w.name, errs[i])
		}
	}
	rec, found, err := s.Load(ctx, key)
	if err != nil || !found {
		t.Fatalf("the session after the abandoned writes: found %v, %v", found, err)
	}
	if n, _ := rec.Lookup("n"); n != 1 {
		t.Errorf("n = %v after the abandoned writes, want 1", n)
	}
	if _, found, _ := s.Load(ctx, other); found {
		t.Error("an abandoned Create or Rename wrote the other key")
	}
}

// TestCleanBatchMore checks that a batch reports more work only when an
// entry past the batch is due: a batch that takes the last due entries
// ends the cleanup, with no empty pass after it.
func TestCleanBatchMore(t *testing.T) {
	for _, tc := range []struct {
		expired int
		more    bool
	}{{0, false}, {1, false}, {2, false}, {3, true}} {
		s := openTest(t, Options{CleanupInterval: -1})
		ctx := t.Context()
		for range tc.expired {
			if err := s.Create(ctx, storetest.NewKey(t), storetest.NewRecord(-time.Second)); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Create(ctx, storetest.NewKey(t), storetest.NewRecord(time.Hour)); err != nil {
			t.Fatal(err)
		}
		var n int
		var more bool
		err := s.update(ctx, func(t *txn) error {
			var err error
			n, more, err = t.cleanBatch(2)
			return err
		})
		if err != nil || n != min(tc.expired, 2) || more != tc.more {
			t.Errorf("%d expired, batch of 2: deleted %d, more %v, %v; want %d, %v",
				tc.expired, n, more, err, min(tc.expired, 2), tc.more)
		}
	}
}
