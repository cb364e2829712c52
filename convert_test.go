package sessions_test

import (
	"math"
	"math/bits"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestAs checks As's conversions against its doc: the same type, numbers
// into int, int64 and float64 only when the value is held exactly, JSON
// into any type, and nothing else.
func TestAs(t *testing.T) {
	type point struct{ X, Y int }
	for _, tc := range []struct {
		name   string
		v      any
		as     func(any) (any, bool)
		want   any
		wantOK bool
	}{
		{"string as string", "x", asAny[string], "x", true},
		{"int64 as int", int64(7), asAny[int], 7, true},
		{"uint8 as int", uint8(200), asAny[int], 200, true},
		{"whole float64 as int", 3.0, asAny[int], 3, true},
		{"fractional float64 as int", 3.5, asAny[int], nil, false},
		{"whole float32 as int", float32(3), asAny[int], 3, true},
		{"fractional float32 as int64", float32(3.5), asAny[int64], nil, false},
		{"float64 2^63 as int64", math.Exp2(63), asAny[int64], nil, false},
		{"uint64 past MaxInt64 as int64", uint64(math.MaxUint64), asAny[int64], nil, false},
		{"int as float64", 5, asAny[float64], 5.0, true},
		{"float32 as float64", float32(0.5), asAny[float64], 0.5, true},
		{"int64 2^53 as float64", int64(1 << 53), asAny[float64], float64(1 << 53), true},
		{"int64 2^53+1 as float64", int64(1<<53 + 1), asAny[float64], nil, false},
		{"MaxInt64 as float64", int64(math.MaxInt64), asAny[float64], nil, false},
		{"MinInt64 as float64", int64(math.MinInt64), asAny[float64], float64(math.MinInt64), true},
		{"string as int", "7", asAny[int], nil, false},
		{"[]byte as string", []byte("x"), asAny[string], nil, false},
		{"string as []byte", "x", asAny[[]byte], nil, false},
		{"int as int32", 5, asAny[int32], nil, false},
		{"JSON as struct", sessions.JSON(`{"X":1,"Y":2}`), asAny[point], point{1, 2}, true},
		{"bad JSON as struct", sessions.JSON(`{"X":"a"}`), asAny[point], nil, false},
	} {
		got, ok := tc.as(tc.v)
		if ok != tc.wantOK || (ok && got != tc.want) {
			t.Errorf("%s: got %v, %v; want %v, %v", tc.name, got, ok, tc.want, tc.wantOK)
		}
	}
}

func asAny[T any](v any) (any, bool) { return sessions.As[T](v) }

// zeroDoc is a struct a JSON value may fill in part.
type zeroDoc struct {
	A int
	B string
}

// TestAsZeroOnFailure checks that a conversion As refuses returns T's zero
// value with false, so GetInt64 and friends return their documented 0 for
// a value out of T's range instead of a wrapped-around number.
func TestAsZeroOnFailure(t *testing.T) {
	for _, tc := range []struct {
		name   string
		v      any
		as     func(any) (any, bool)
		zero   any
		only64 bool // v is out of range only where a uint has 64 bits
	}{
		{"MaxUint64 as int64", uint64(math.MaxUint64), asAny[int64], int64(0), false},
		{"uint64 2^63 as int64", uint64(1) << 63, asAny[int64], int64(0), false},
		{"MaxUint as int64", uint(math.MaxUint), asAny[int64], int64(0), true},
		{"MaxUint64 as int", uint64(math.MaxUint64), asAny[int], 0, false},
		{"fractional float64 as int64", 2.5, asAny[int64], int64(0), false},
		{"string as int64", "7", asAny[int64], int64(0), false},
		{"MaxInt64 as float64", int64(math.MaxInt64), asAny[float64], 0.0, false},
		// encoding/json fills what it can before it reports an error.
		{"JSON number as *struct", sessions.JSON(`5`), asAny[*parityCart], (*parityCart)(nil), false},
		{"JSON half into struct", sessions.JSON(`{"A":1,"B":2}`), asAny[zeroDoc], zeroDoc{}, false},
	} {
		if tc.only64 && bits.UintSize < 64 {
			t.Logf("%s: skipped: a %d-bit uint fits an int64", tc.name, bits.UintSize)
			continue
		}
		got, ok := tc.as(tc.v)
		if ok || got != tc.zero {
			t.Errorf("%s: got %#v, %v; want %#v, false", tc.name, got, ok, tc.zero)
		}
	}
}

// TestAsUnsignedToFloat64 checks As's doc for float64: an integer of
// another type converts when float64 holds its value exactly, unsigned
// ones past MaxInt64 included.
func TestAsUnsignedToFloat64(t *testing.T) {
	for _, tc := range []struct {
		name   string
		v      any
		want   float64
		wantOK bool
	}{
		{"uint64 2^63", uint64(1) << 63, math.Exp2(63), true},
		{"uint64 2^64-2^11", uint64(math.MaxUint64 - 1<<11 + 1), math.Exp2(64) - math.Exp2(11), true},
		{"uint top bit", uint(1) << (bits.UintSize - 1), math.Exp2(bits.UintSize - 1), true},
		{"MaxUint64", uint64(math.MaxUint64), 0, false},
		{"uint64 2^63+1", uint64(1)<<63 + 1, 0, false},
	} {
		got, ok := sessions.As[float64](tc.v)
		if ok != tc.wantOK || got != tc.want {
			t.Errorf("%s: As[float64] = %v, %v; want %v, %v", tc.name, got, ok, tc.want, tc.wantOK)
		}
	}
}
