package memory

import (
	"context"
	"math"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// TestGraceEndsWhateverTheClock checks that a Rename grace alias ends when
// its grace has passed, and lasts when the grace is too long to add to the
// clock, whatever time Options.Now starts at: a test clock at the zero
// time.Time or before 1970 (negative Unix nanoseconds) must not make a
// short grace endless.
func TestGraceEndsWhateverTheClock(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		start int64 // Unix nanoseconds
	}{
		{"zero time.Time", time.Time{}.UnixNano()},
		{"before 1970", time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC).UnixNano()},
		{"one before the epoch", -1},
		{"the epoch", 0},
		{"now", time.Now().UnixNano()},
	} {
		for _, grace := range []time.Duration{time.Second, math.MaxInt64} {
			var now atomic.Int64
			now.Store(tc.start)
			st := New(Options{CleanupInterval: time.Hour, Now: func() time.Time { return time.Unix(0, now.Load()) }})
			oldKey, newKey := shardKey(t, 1), shardKey(t, 2)
			rec := &sessions.Record{Meta: sessions.Meta{Expires: math.MaxInt64}}
			if err := st.Create(ctx, oldKey, rec); err != nil {
				t.Fatal(err)
			}
			if err := st.Rename(ctx, oldKey, newKey, grace); err != nil {
				t.Fatal(err)
			}
			if _, found, err := st.Load(ctx, oldKey); !found || err != nil {
				t.Errorf("%s, grace %v: Load through the alias at once = %v, %v; want found", tc.name, grace, found, err)
			}
			now.Add(int64(time.Hour))
			_, found, err := st.Load(ctx, oldKey)
			if want := grace > time.Hour; found != want || err != nil {
				t.Errorf("%s, grace %v: Load through the alias an hour later = %v, %v; want %v, nil", tc.name, grace, found, err, want)
			}
			st.Close()
		}
	}
}
