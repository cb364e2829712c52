package memory

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// TestMaxEntries checks that Create refuses a session past
// Options.MaxEntries with ErrFull (a store-unavailable error, which the
// manager answers with 503), that a refused session is not stored, and
// that room comes back when a session is deleted or replaces an expired
// one.
func TestMaxEntries(t *testing.T) {
	ctx := context.Background()
	var now atomic.Int64
	now.Store(time.Unix(1_800_000_000, 0).UnixNano())
	st := New(Options{MaxEntries: 3, CleanupInterval: time.Hour, Now: func() time.Time { return time.Unix(0, now.Load()) }})
	defer st.Close()
	rec := func(ttl time.Duration) *sessions.Record {
		return &sessions.Record{Meta: sessions.Meta{Expires: now.Load() + int64(ttl)}}
	}
	keys := make([]string, 5)
	for i := range keys {
		keys[i] = shardKey(t, i)
	}
	for i, k := range keys[:3] {
		ttl := time.Hour
		if i == 0 {
			ttl = time.Second
		}
		if err := st.Create(ctx, k, rec(ttl)); err != nil {
			t.Fatalf("Create %d of 3: %v", i+1, err)
		}
	}
	err := st.Create(ctx, keys[3], rec(time.Hour))
	if !errors.Is(err, ErrFull) || !errors.Is(err, sessions.ErrStoreUnavailable) {
		t.Fatalf("Create past the limit: %v, want ErrFull wrapping ErrStoreUnavailable", err)
	}
	if _, found, _ := st.Load(ctx, keys[3]); found {
		t.Fatal("a refused session was stored")
	}
	if st.Len() != 3 {
		t.Fatalf("Len() = %d after a refused Create, want 3", st.Len())
	}

	// A new session over an expired record takes its place.
	now.Add(int64(2 * time.Second))
	if err := st.Create(ctx, keys[0], rec(time.Hour)); err != nil {
		t.Fatalf("Create over an expired record at the limit: %v", err)
	}
	// A deleted session makes room.
	if err := st.Delete(ctx, keys[1]); err != nil {
		t.Fatal(err)
	}
	if err := st.Create(ctx, keys[4], rec(time.Hour)); err != nil {
		t.Fatalf("Create after a Delete at the limit: %v", err)
	}
	if err := st.Create(ctx, keys[3], rec(time.Hour)); !errors.Is(err, ErrFull) {
		t.Fatalf("Create past the limit again: %v, want ErrFull", err)
	}
	if st.Len() != 3 {
		t.Fatalf("Len() = %d, want 3", st.Len())
	}
}

// TestMaxEntriesConcurrent has many goroutines create sessions in
// different shards at once: exactly MaxEntries of them may succeed.
func TestMaxEntriesConcurrent(t *testing.T) {
	const max, workers, each = 100, 8, 50
	ctx := context.Background()
	for round := range 200 {
		st := New(Options{MaxEntries: max, CleanupInterval: time.Hour})
		var ok atomic.Int64
		var wg sync.WaitGroup
		start := make(chan struct{})
		for w := range workers {
			wg.Go(func() {
				<-start
				for i := range each {
					err := st.Create(ctx, shardKey(t, (w*each+i)%shardCount), &sessions.Record{Meta: sessions.Meta{Expires: time.Now().Add(time.Hour).UnixNano()}})
					switch {
					case err == nil:
						ok.Add(1)
					case !errors.Is(err, ErrFull):
						t.Error(err)
					}
				}
			})
		}
		close(start)
		wg.Wait()
		st.Close()
		if ok.Load() != max || st.Len() != max {
			t.Fatalf("round %d: %d Creates succeeded and Len() = %d, want %d each", round, ok.Load(), st.Len(), max)
		}
	}
}
