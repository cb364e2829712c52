package memory_test

import (
	"context"
	"crypto/rand"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
)

func randomKey() string {
	var b [32]byte
	rand.Read(b[:])
	return sessions.KeyOf(string(b[:]))
}

// TestCleanupWhileWriting runs Cleanup, which releases a shard's read lock
// every few hundred records of its scan, while other goroutines create,
// commit and delete sessions in the same shards. Live sessions must
// survive, expired ones go, and the race detector must stay quiet.
func TestCleanupWhileWriting(t *testing.T) {
	var clock atomic.Int64
	clock.Store(time.Now().UnixNano())
	st := memory.New(memory.Options{CleanupInterval: time.Hour, Now: func() time.Time { return time.Unix(0, clock.Load()) }})
	t.Cleanup(func() { st.Close() })
	ctx := context.Background()
	now := clock.Load()
	const n = 20_000
	live := make([]string, 0, n/2)
	for i := range n {
		k := randomKey()
		rec := &sessions.Record{Meta: sessions.Meta{Created: now, LastSeen: now, Expires: now + int64(time.Hour)}}
		if i%2 == 0 {
			rec.Expires = now + int64(time.Second)
		} else {
			live = append(live, k)
		}
		if err := st.Create(ctx, k, rec); err != nil {
			t.Fatal(err)
		}
	}
	clock.Add(int64(2 * time.Second)) // half the sessions are now expired

	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				k := live[(i*4+w)%len(live)]
				d := &sessions.Delta{Set: []sessions.Field{{Key: "n", Value: i}}}
				if err := st.Commit(ctx, k, d); err != nil {
					t.Errorf("commit of a live session: %v", err)
					return
				}
				tmp := randomKey()
				rec := &sessions.Record{Meta: sessions.Meta{Created: now, LastSeen: now, Expires: now + int64(time.Hour)}}
				if err := st.Create(ctx, tmp, rec); err != nil {
					t.Errorf("create: %v", err)
					return
				}
				if err := st.Delete(ctx, tmp); err != nil {
					t.Errorf("delete: %v", err)
					return
				}
			}
		})
	}
	removed := 0
	for range 3 {
		removed += st.Cleanup()
	}
	close(stop)
	wg.Wait()
	if removed != n/2 {
		t.Errorf("Cleanup removed %d, want %d", removed, n/2)
	}
	for _, k := range live {
		if _, found, err := st.Load(ctx, k); err != nil || !found {
			t.Fatalf("live session %s lost: found=%v err=%v", k[:8], found, err)
		}
	}
	if got := st.Len(); got != n/2 {
		t.Errorf("Len() = %d after cleanup, want %d", got, n/2)
	}
}
