package bolt

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/storetest"
)

// TestIncrementOverflow checks that an Increment whose result would not fit
// an int, in either direction, is refused with ErrNotInteger and leaves the
// field as it was, and that a result exactly at either limit is stored.
func TestIncrementOverflow(t *testing.T) {
	for _, tc := range []struct {
		name     string
		start    int
		by       int64
		want     int64 // the stored value afterwards
		overflow bool
	}{
		{"up to MaxInt", math.MaxInt - 1, 1, math.MaxInt, false},
		{"past MaxInt", math.MaxInt, 1, math.MaxInt, true},
		{"far past MaxInt", 1, math.MaxInt64, 1, true},
		{"down to MinInt", math.MinInt + 1, -1, math.MinInt, false},
		{"past MinInt", math.MinInt, -1, math.MinInt, true},
		{"far past MinInt", -2, math.MinInt64, -2, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := openTest(t, Options{CleanupInterval: -1})
			ctx := t.Context()
			key := storetest.NewKey(t)
			if err := s.Create(ctx, key, storetest.NewRecord(time.Hour, "n", tc.start)); err != nil {
				t.Fatal(err)
			}
			got, err := s.Increment(ctx, key, "n", tc.by)
			switch {
			case tc.overflow && (!errors.Is(err, sessions.ErrNotInteger) || got != 0):
				t.Errorf("Increment(%d by %d) = %d, %v; want 0, ErrNotInteger", tc.start, tc.by, got, err)
			case !tc.overflow && (err != nil || got != tc.want):
				t.Errorf("Increment(%d by %d) = %d, %v; want %d, nil", tc.start, tc.by, got, err, tc.want)
			}
			rec, found, err := s.Load(ctx, key)
			if err != nil || !found {
				t.Fatalf("Load: %v, %v", found, err)
			}
			if v, _ := rec.Lookup("n"); v != int(tc.want) {
				t.Errorf("stored field = %v (%T), want %d", v, v, tc.want)
			}
		})
	}
}
