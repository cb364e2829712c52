package memory_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
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
// survive, expired ones go, and the race detector must stay quiet. With
// 20,000 sessions, half expired, each shard has fewer than 128 expired and
// loses them in batches of deletes; with 80,000 every shard gets a new map.
func TestCleanupWhileWriting(t *testing.T) {
	for _, n := range []int{20_000, 80_000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) { cleanupWhileWriting(t, n) })
	}
}

func cleanupWhileWriting(t *testing.T, n int) {
	var clock atomic.Int64
	clock.Store(time.Now().UnixNano())
	st := memory.New(memory.Options{CleanupInterval: time.Hour, Now: func() time.Time { return time.Unix(0, clock.Load()) }})
	t.Cleanup(func() { st.Close() })
	ctx := context.Background()
	now := clock.Load()
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
			churn(t, st, stop, now+int64(time.Hour), randomKey, func(i int) string { return live[(i*4+w)%len(live)] })
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

// oneShardKey returns a random store key in the shard of keys starting "00".
func oneShardKey() string {
	var b [31]byte
	rand.Read(b[:])
	return "00" + hex.EncodeToString(b[:])
}

// TestCompactWhileWriting keeps one shard busy with commits, creates and
// deletes while Cleanup, called from two goroutines at once, rebuilds the
// shard's map round after round. Every commit must survive the swap to the
// new map, no deleted session may come back, and every expired one must go.
func TestCompactWhileWriting(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	st := memory.New(memory.Options{CleanupInterval: time.Hour, Now: func() time.Time { return now }})
	t.Cleanup(func() { st.Close() })
	ctx := context.Background()
	newRec := func(exp time.Duration) *sessions.Record {
		return &sessions.Record{Meta: sessions.Meta{Created: now.UnixNano(), LastSeen: now.UnixNano(), Expires: now.Add(exp).UnixNano()}}
	}
	const writers, perWriter, rounds, expiredPerRound = 4, 500, 20, 2000
	owned := make([][]string, writers)
	for w := range owned {
		for range perWriter {
			k := oneShardKey()
			if err := st.Create(ctx, k, newRec(time.Hour)); err != nil {
				t.Fatal(err)
			}
			owned[w] = append(owned[w], k)
		}
	}

	stop := make(chan struct{})
	last := make([]map[string]int, writers)
	var wg sync.WaitGroup
	for w := range writers {
		last[w] = map[string]int{}
		wg.Go(func() {
			churn(t, st, stop, now.Add(time.Hour).UnixNano(), oneShardKey, func(i int) string {
				k := owned[w][i%perWriter]
				// Noted before the commit: one that fails fails
				// the test.
				last[w][k] = i
				return k
			})
		})
	}
	var removed atomic.Int64
	var sweepers sync.WaitGroup
	for round := range rounds {
		for range expiredPerRound {
			if err := st.Create(ctx, oneShardKey(), newRec(-time.Second)); err != nil {
				t.Fatal(err)
			}
		}
		// A second Cleanup racing the first in some rounds: they must
		// take turns, or one would swap in a map the other's writes
		// never reached.
		if round%2 == 0 {
			sweepers.Go(func() { removed.Add(int64(st.Cleanup())) })
		}
		removed.Add(int64(st.Cleanup()))
		sweepers.Wait()
	}
	close(stop)
	wg.Wait()

	if got, want := removed.Load(), int64(rounds*expiredPerRound); got != want {
		t.Errorf("Cleanup removed %d, want %d", got, want)
	}
	if got, want := st.Len(), writers*perWriter; got != want {
		t.Errorf("Len() = %d after the last sweep, want %d (a create or delete was lost)", got, want)
	}
	for w := range writers {
		for _, k := range owned[w] {
			rec, found, err := st.Load(ctx, k)
			if err != nil || !found {
				t.Fatalf("live session %s lost: found=%v err=%v", k[:8], found, err)
			}
			want, committed := last[w][k]
			if !committed {
				continue
			}
			if v, _ := rec.Lookup("n"); v != want {
				t.Fatalf("session %s holds n=%v, want its last commit's %d", k[:8], v, want)
			}
		}
	}
}

// churn commits n = i to the live session pick(i), then creates a session
// expiring at exp (Unix nanoseconds) under newKey() and deletes it, for
// i = 0, 1, ... until stop is closed or a call fails.
func churn(t *testing.T, st *memory.Store, stop <-chan struct{}, exp int64, newKey func() string, pick func(i int) string) {
	ctx := context.Background()
	for i := 0; ; i++ {
		select {
		case <-stop:
			return
		default:
		}
		d := &sessions.Delta{Set: []sessions.Field{{Key: "n", Value: i}}}
		if err := st.Commit(ctx, pick(i), d); err != nil {
			t.Errorf("commit of a live session: %v", err)
			return
		}
		tmp := newKey()
		if err := st.Create(ctx, tmp, &sessions.Record{Meta: sessions.Meta{Expires: exp}}); err != nil {
			t.Errorf("create: %v", err)
			return
		}
		if err := st.Delete(ctx, tmp); err != nil {
			t.Errorf("delete: %v", err)
			return
		}
	}
}
