package memory

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// heapInUse returns the bytes of live heap objects after a full collection.
func heapInUse() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// wantHeapGivenBack checks that, measured by heapInUse now, at most an
// eighth of what the heap grew by from base to peak is still held: the
// memory of a wave that has ended went back to the heap after what.
func wantHeapGivenBack(t *testing.T, what string, base, peak int64) {
	t.Helper()
	if grew, wave := heapInUse()-base, peak-base; grew > wave/8 {
		t.Errorf("heap after %s: %d KB over the start, of %d KB at the peak; want at most an eighth kept",
			what, grew>>10, wave>>10)
	}
}

// TestCleanupShrinksAliasMaps: after a wave of rotations, once their grace
// aliases have ended and Cleanup has dropped them, the shards' alias maps
// give their memory back, as the record maps do after a wave of expiries
// (a Go map never shrinks on delete). An alias still in its grace stays.
func TestCleanupShrinksAliasMaps(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	st := New(Options{CleanupInterval: time.Hour, Now: func() time.Time { return now }})
	defer st.Close()
	ctx := context.Background()
	base := heapInUse()

	const rotations = 200_000
	for i := range rotations {
		from, to := shardKey(t, i%shardCount), shardKey(t, i%shardCount)
		rec := &sessions.Record{Meta: sessions.Meta{Expires: now.Add(time.Minute).UnixNano()}}
		if err := st.Create(ctx, from, rec); err != nil {
			t.Fatal(err)
		}
		if err := st.Rename(ctx, from, to, 30*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	peak := heapInUse()

	now = now.Add(2 * time.Minute)
	// One rotation within its grace, in a shard the wave filled.
	oldKey, newKey := shardKey(t, 7), shardKey(t, 9)
	if err := st.Create(ctx, oldKey, &sessions.Record{Meta: sessions.Meta{Expires: now.Add(time.Hour).UnixNano()}}); err != nil {
		t.Fatal(err)
	}
	if err := st.Rename(ctx, oldKey, newKey, time.Minute); err != nil {
		t.Fatal(err)
	}
	if got := st.Cleanup(); got != rotations {
		t.Fatalf("Cleanup removed %d records, want %d", got, rotations)
	}
	wantHeapGivenBack(t, "the wave ended", base, peak)
	aliases := 0
	for i := range st.shards {
		aliases += len(st.shards[i].aliases)
	}
	if aliases != 1 {
		t.Errorf("%d aliases held after Cleanup, want the 1 in its grace", aliases)
	}
	if _, found, err := st.Load(ctx, oldKey); !found || err != nil {
		t.Errorf("Load through the alias in its grace: found %v, %v", found, err)
	}
}
