package memory

import (
	"context"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

func TestStatsCountsSweeps(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	st := New(Options{CleanupInterval: time.Hour, Now: func() time.Time { return now }})
	defer st.Close()
	ctx := context.Background()
	for i, exp := range []time.Duration{-time.Second, -time.Minute, time.Hour} {
		rec := &sessions.Record{Meta: sessions.Meta{Created: now.UnixNano(), Expires: now.Add(exp).UnixNano()}}
		if err := st.Create(ctx, sessions.KeyOf(string(rune('a'+i))), rec); err != nil {
			t.Fatal(err)
		}
	}
	if got := st.Cleanup(); got != 2 {
		t.Fatalf("Cleanup removed %d, want 2", got)
	}
	st.Cleanup()
	want := Stats{Sessions: 1, Sweeps: 2, Removed: 2}
	if got := st.Stats(); got != want {
		t.Fatalf("Stats() = %+v, want %+v", got, want)
	}
}

func TestStatsTimesReadWait(t *testing.T) {
	st := New(Options{CleanupInterval: time.Hour})
	defer st.Close()
	ctx := context.Background()
	k := sessions.KeyOf("x")
	rec := &sessions.Record{Meta: sessions.Meta{Expires: time.Now().Add(time.Hour).UnixNano()}}
	if err := st.Create(ctx, k, rec); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.Load(ctx, k); err != nil {
		t.Fatal(err)
	}
	if got := st.Stats(); got.ReadWaits != 0 || got.LongestReadWait != 0 {
		t.Fatalf("after an uncontended Load: %+v, want no waits", got)
	}

	// Hold the key's shard as a writer would, longer than the spin, while
	// a Load waits for it. The goroutine may start late on a busy machine,
	// so the wait the store records is checked against the wait the Load
	// really had: from when it began to when the shard was released. If it
	// began after the release, it did not wait and the round is repeated.
	id, _ := parseKey(k)
	sh := st.shard(id)
	const hold = 3 * time.Millisecond
	type result struct {
		err          error
		began, ended time.Time
	}
	for round := 1; ; round++ {
		sh.mu.Lock()
		loaded := make(chan result)
		go func() {
			began := time.Now()
			_, found, err := st.Load(ctx, k)
			if err == nil && !found {
				err = sessions.ErrNotFound
			}
			loaded <- result{err, began, time.Now()}
		}()
		time.Sleep(hold)
		released := time.Now()
		sh.mu.Unlock()
		r := <-loaded
		if r.err != nil {
			t.Fatal(r.err)
		}
		got := st.Stats()
		if got.ReadWaits == 0 && round < 5 {
			continue
		}
		if got.ReadWaits != 1 {
			t.Errorf("ReadWaits = %d after %d rounds, want 1", got.ReadWaits, round)
		}
		waited := released.Sub(r.began) // the least the Load waited
		if got.LongestReadWait < waited/2 || got.LongestReadWait > r.ended.Sub(r.began) {
			t.Errorf("LongestReadWait = %v; the Load waited at least %v and took %v", got.LongestReadWait, waited, r.ended.Sub(r.began))
		}
		return
	}
}
