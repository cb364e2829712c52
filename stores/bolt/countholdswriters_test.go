package bolt

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sessionkit/sessions/storetest"
)

// pausingContext is a context whose second Err call (Count's first look at
// it after it started reading records) reports on paused and waits for
// release: it holds a Count in the middle of its walk.
type pausingContext struct {
	context.Context
	calls   atomic.Int32
	paused  chan struct{}
	release chan struct{}
}

func (c *pausingContext) Err() error {
	if c.calls.Add(1) == 2 {
		close(c.paused)
		<-c.release
	}
	return c.Context.Err()
}

// TestCountDoesNotHoldUpWriters: Count's doc promises that it never holds
// up writers. bbolt cannot grow its memory map while a read transaction is
// open, so a write that grows the file waits for every open read
// transaction (and, holding bbolt's writer lock, makes every other write
// wait behind it). Count must therefore not keep one read transaction open
// across all the records: writes that grow the file while a Count is held
// in the middle of its walk complete without waiting for it, and the Count
// then finishes with every record it was asked to count.
func TestCountDoesNotHoldUpWriters(t *testing.T) {
	s := openTest(t, Options{CleanupInterval: -1})
	ctx := t.Context()
	const n = 1100 // more than one chunk of Count's walk
	for range n {
		if err := s.Create(ctx, storetest.NewKey(t), storetest.NewRecord(time.Hour, "v", "x")); err != nil {
			t.Fatal(err)
		}
	}

	cctx := &pausingContext{Context: ctx, paused: make(chan struct{}), release: make(chan struct{})}
	type result struct {
		n   int
		err error
	}
	counted := make(chan result, 1)
	go func() {
		n, err := s.Count(cctx)
		counted <- result{n, err}
	}()
	select {
	case <-cctx.paused:
	case r := <-counted:
		t.Fatalf("Count = %d, %v without looking at its context during its walk; want it held in the middle", r.n, r.err)
	}

	// Count is held in the middle of its walk. Writes that grow the file
	// well past its memory map must not wait for it.
	const big = 12
	wrote := make(chan error, 1)
	go func() {
		for range big {
			rec := storetest.NewRecord(time.Hour, "big", make([]byte, 900<<10))
			if err := s.Create(ctx, storetest.NewKey(t), rec); err != nil {
				wrote <- err
				return
			}
		}
		wrote <- nil
	}()
	select {
	case err := <-wrote:
		close(cctx.release)
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		close(cctx.release)
		t.Fatal("writes that grow the file still waiting after 5s for a Count in progress")
	}
	// The records written during the walk may or may not be counted (the
	// count is not a snapshot); the ones before it must be.
	if r := <-counted; r.err != nil || r.n < n || r.n > n+big {
		t.Fatalf("Count = %d, %v; want between %d and %d", r.n, r.err, n, n+big)
	}
}
