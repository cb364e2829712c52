package memory

import (
	"context"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// rotations is a group of renames with the same grace.
type rotations struct {
	n     int
	grace time.Duration
}

// TestAliasMapsShrinkFromTheirPeak: a shard's map of grace aliases gives
// its memory back once most of the most aliases it held have ended, however
// they left: graces that end a few sweeps apart (rotations tailing off, as
// traffic does, so that each sweep ends fewer than seven in eight of the
// aliases left), or logouts through the old keys, which end the graces by
// Delete before any sweep sees them. A Go map never shrinks on delete, so
// a map judged by what one sweep drops from it, rather than by the most it
// held, keeps the room of the whole wave.
func TestAliasMapsShrinkFromTheirPeak(t *testing.T) {
	for _, tc := range []struct {
		name   string
		graces []rotations // in each shard
		logout bool        // Delete the old and the new key of every rotation
		sweeps int         // Cleanup runs, a minute apart
	}{
		{name: "graces ending a sweep apart", graces: []rotations{{800, 30 * time.Second}, {160, 90 * time.Second}, {32, 150 * time.Second}}, sweeps: 3},
		{name: "logouts in the grace", graces: []rotations{{800, 30 * time.Second}}, logout: true, sweeps: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			now := time.Unix(1_800_000_000, 0)
			st := New(Options{CleanupInterval: time.Hour, Now: func() time.Time { return now }})
			defer st.Close()
			ctx := context.Background()
			base := heapInUse()

			var ended []string
			for _, g := range tc.graces {
				for i := range g.n * shardCount {
					from, to := shardKey(t, i%shardCount), shardKey(t, i%shardCount)
					rec := &sessions.Record{Meta: sessions.Meta{Expires: now.Add(time.Minute).UnixNano()}}
					if err := st.Create(ctx, from, rec); err != nil {
						t.Fatal(err)
					}
					if err := st.Rename(ctx, from, to, g.grace); err != nil {
						t.Fatal(err)
					}
					if tc.logout {
						ended = append(ended, to, from)
					}
				}
			}
			peak := heapInUse()

			for _, k := range ended {
				if err := st.Delete(ctx, k); err != nil {
					t.Fatal(err)
				}
			}
			ended = nil
			for range tc.sweeps {
				now = now.Add(time.Minute)
				st.Cleanup()
			}
			aliases := 0
			for i := range st.shards {
				aliases += len(st.shards[i].aliases)
			}
			if aliases != 0 {
				t.Fatalf("%d aliases held after every grace ended, want 0", aliases)
			}
			wantHeapGivenBack(t, "every grace ended", base, peak)
		})
	}
}
