package storetest

import (
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// testIncrementRounds checks that Increment is one atomic read-modify-write
// under sustained contention: several goroutines incrementing the same field
// over and over (for up to a second) lose no increment and never see the same
// value twice. One increment per goroutine, as ConcurrentIncrements does,
// rarely lands two of them in the window between a store's read and its
// write; many rounds do.
func testIncrementRounds(t *testing.T, h Harness) {
	s := h.New(t)
	key := NewKey(t)
	mustCreate(t, s, key, NewRecord(time.Hour))
	const (
		workers = 16
		rounds  = 5000
	)
	deadline := time.Now().Add(time.Second)
	var wg sync.WaitGroup
	got := make([][]int64, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range rounds {
				if time.Now().After(deadline) {
					return
				}
				v, err := s.Increment(ctx(t), key, "hits", 1)
				if err != nil {
					t.Errorf("Increment: %v", err)
					return
				}
				got[w] = append(got[w], v)
				runtime.Gosched()
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	seen := map[int64]bool{}
	total := 0
	for _, vs := range got {
		for _, v := range vs {
			if seen[v] {
				t.Fatalf("two Increments returned %d: an increment was lost", v)
			}
			seen[v] = true
			total++
		}
	}
	for v := int64(1); v <= int64(total); v++ {
		if !seen[v] {
			t.Fatalf("%d Increments returned values without %d, want 1..%d", total, v, total)
		}
	}
	if v, _ := sessions.As[int64](values(mustLoad(t, s, key))["hits"]); v != int64(total) {
		t.Fatalf("hits = %d after %d increments, want %d", v, total, total)
	}
}
