package sessions_test

import (
	"math"
	"testing"
)

// TestAsInt64Boundaries checks As[int64] at the ends of int64's range: an
// unsigned or float value converts when int64 holds it exactly, MaxInt64
// and MinInt64 included, and not one past them, where a conversion would
// wrap to a value of the other sign.
func TestAsInt64Boundaries(t *testing.T) {
	for _, tc := range []struct {
		name   string
		v      any
		want   int64
		wantOK bool
	}{
		{"uint64 MaxInt64", uint64(math.MaxInt64), math.MaxInt64, true},
		{"uint64 MaxInt64+1", uint64(math.MaxInt64) + 1, 0, false},
		{"float64 -2^63", -math.Exp2(63), math.MinInt64, true},
		{"float64 2^63", math.Exp2(63), 0, false},
		{"float32 -2^63", float32(-math.Exp2(63)), math.MinInt64, true},
		{"float32 2^63", float32(math.Exp2(63)), 0, false},
		{"float32 -2^64", float32(-math.Exp2(64)), 0, false},
	} {
		got, ok := asAny[int64](tc.v)
		if ok != tc.wantOK || (ok && got != tc.want) {
			t.Errorf("As[int64](%s) = %v, %v; want %v, %v", tc.name, got, ok, tc.want, tc.wantOK)
		}
	}
}
