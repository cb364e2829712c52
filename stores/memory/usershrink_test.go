package memory

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// TestCleanupShrinksUserIndex: after a wave of sessions of distinct users
// has expired and Cleanup has removed them, the user index gives its memory
// back, as the shards' record and alias maps do (a Go map never shrinks on
// delete). A user whose session is still live stays listed, and a user
// indexed after the rebuild is listed too.
func TestCleanupShrinksUserIndex(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	st := New(Options{CleanupInterval: time.Hour, Now: func() time.Time { return now }})
	defer st.Close()
	ctx := context.Background()
	base := heapInUse()

	const users = 200_000
	for i := range users {
		rec := &sessions.Record{Meta: sessions.Meta{User: fmt.Sprintf("user-%d", i), Expires: now.Add(time.Minute).UnixNano()}}
		if err := st.Create(ctx, shardKey(t, i%shardCount), rec); err != nil {
			t.Fatal(err)
		}
	}
	stay := shardKey(t, 7)
	if err := st.Create(ctx, stay, &sessions.Record{Meta: sessions.Meta{User: "alice", Expires: now.Add(time.Hour).UnixNano()}}); err != nil {
		t.Fatal(err)
	}
	peak := heapInUse()

	now = now.Add(2 * time.Minute)
	if got := st.Cleanup(); got != users {
		t.Fatalf("Cleanup removed %d records, want %d", got, users)
	}
	after := heapInUse()

	t.Logf("base %d KB, peak %d KB, after %d KB", base>>10, peak>>10, after>>10)
	// Every record map is rebuilt small and every user's own set is gone:
	// what stays over the start is the index of one user and noise.
	if grew := after - base; grew > 1<<20 {
		t.Errorf("heap after the wave ended: %d KB over the start (%d MB at the peak); want under 1 MB kept",
			grew>>10, (peak-base)>>20)
	}
	if n := len(st.users); n != 1 {
		t.Errorf("user index holds %d users after Cleanup, want the 1 with a live session", n)
	}
	if !listed(t, st, "alice", stay) {
		t.Error("alice's live session is not listed after Cleanup")
	}
	k := shardKey(t, 9)
	if err := st.Create(ctx, k, &sessions.Record{Meta: sessions.Meta{User: "bob", Expires: now.Add(time.Hour).UnixNano()}}); err != nil {
		t.Fatal(err)
	}
	if !listed(t, st, "bob", k) {
		t.Error("bob's session created after Cleanup is not listed")
	}
}

// TestShrinkUserIndexWhileIndexing has Cleanup rebuild the user index
// while writers add users, remove them and move sessions from one user to
// another. The rebuilt index must list every session with a user under
// that user and hold no user without sessions.
func TestShrinkUserIndexWhileIndexing(t *testing.T) {
	var now atomic.Int64
	now.Store(time.Unix(1_800_000_000, 0).UnixNano())
	st := New(Options{CleanupInterval: time.Hour, Now: func() time.Time { return time.Unix(0, now.Load()) }})
	defer st.Close()
	ctx := context.Background()
	const (
		gone    = 20_000 // expired users per round
		writers = 4
		each    = 300 // each writer's keys, so the index keeps > scanBatch users
	)
	keys := make([][]string, writers)
	for w := range keys {
		for i := range each {
			k := shardKey(t, (w*each+i)%shardCount)
			keys[w] = append(keys[w], k)
			rec := &sessions.Record{Meta: sessions.Meta{User: fmt.Sprintf("w%d-%d", w, i), Expires: now.Load() + int64(time.Hour)}}
			if err := st.Create(ctx, k, rec); err != nil {
				t.Fatal(err)
			}
		}
	}
	for round := range 20 {
		for i := range gone {
			rec := &sessions.Record{Meta: sessions.Meta{User: fmt.Sprintf("gone-%d-%d", round, i), Expires: now.Load() + 1}}
			if err := st.Create(ctx, shardKey(t, i%shardCount), rec); err != nil {
				t.Fatal(err)
			}
		}
		now.Add(2)
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for w := range writers {
			wg.Go(func() {
				for step := 0; ; step++ {
					select {
					case <-stop:
						return
					default:
					}
					k := keys[w][step%each]
					user := fmt.Sprintf("w%d-%d-%d", w, round, step)
					var err error
					if step%2 == 0 { // the key's user leaves the index, another joins
						if err = st.Delete(ctx, k); err == nil {
							err = st.Create(ctx, k, &sessions.Record{Meta: sessions.Meta{User: user, Expires: now.Load() + int64(time.Hour)}})
						}
					} else { // the session moves to another user
						err = st.Commit(ctx, k, &sessions.Delta{Meta: &sessions.Meta{User: user}, MetaFields: sessions.MetaUser})
					}
					if err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		removed := st.Cleanup()
		close(stop)
		wg.Wait()
		if removed != gone {
			t.Fatalf("round %d: Cleanup removed %d records, want %d", round, removed, gone)
		}
		checkStore(t, st)
		if n := len(st.users); n != writers*each {
			t.Fatalf("round %d: the user index holds %d users, want the %d with a session", round, n, writers*each)
		}
		if t.Failed() {
			return
		}
	}
}
