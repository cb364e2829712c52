package memory

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// TestIncrementOverflow checks that an Increment whose result does not fit
// an int (the counter's type; int64 on a 64-bit platform) is refused with
// ErrNotInteger, as the other stores refuse it, and leaves the field as it
// was, instead of wrapping the counter around to the other end of the
// range.
func TestIncrementOverflow(t *testing.T) {
	ctx := context.Background()
	st := New(Options{CleanupInterval: time.Hour})
	defer st.Close()
	for _, tc := range []struct {
		name  string
		start int
		by    int64
		want  int64 // when ok
		ok    bool
	}{
		{"up to the max", math.MaxInt - 1, 1, math.MaxInt, true},
		{"down to the min", math.MinInt + 1, -1, math.MinInt, true},
		{"past the max", math.MaxInt, 1, 0, false},
		{"past the min", math.MinInt, -1, 0, false},
		{"far past the max", 1, math.MaxInt64, 0, false},
		{"far past the min", -2, math.MinInt64, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := shardKey(t, 0)
			rec := &sessions.Record{Meta: sessions.Meta{Expires: time.Now().Add(time.Hour).UnixNano()}}
			rec.SetField("n", tc.start)
			if err := st.Create(ctx, k, rec); err != nil {
				t.Fatal(err)
			}
			got, err := st.Increment(ctx, k, "n", tc.by)
			if tc.ok {
				if err != nil || got != tc.want {
					t.Fatalf("Increment(%d by %d) = %d, %v; want %d", tc.start, tc.by, got, err, tc.want)
				}
				return
			}
			if !errors.Is(err, sessions.ErrNotInteger) {
				t.Fatalf("Increment(%d by %d) = %d, %v; want ErrNotInteger", tc.start, tc.by, got, err)
			}
			r, _, _ := st.Load(ctx, k)
			if v, _ := r.Lookup("n"); v != tc.start {
				t.Fatalf("n = %v after a refused Increment, want %d", v, tc.start)
			}
		})
	}
}
