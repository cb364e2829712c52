package storetest

import (
	"errors"
	"math"
	"math/big"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// testIncrementIntRange checks that Increment counts within the range of a
// Go int on the platform it runs on (int64 on a 64-bit platform, int32 on a
// 32-bit one): a count exactly at either end is stored and loads back, and
// a count past either end, whatever by is, is ErrNotInteger and leaves the
// field as it was (absent when it was). A store that counts in int64 on a
// 32-bit platform stores a count the codec cannot read back as an int
// there: the record no longer loads (ErrCorrupt) and the session is lost.
func testIncrementIntRange(t *testing.T, h Harness) {
	s := h.New(t)
	// MaxInt+1, outside the int range on a 32-bit platform while MinInt
	// plus it is 0, inside: the count is judged, not by. On a 64-bit
	// platform it wraps to MinInt64, and MinInt plus it overflows.
	pastMaxInt := int64(math.MaxInt)
	pastMaxInt++
	for _, c := range []struct {
		name   string
		start  int
		absent bool // the field is not set before the Increment
		by     int64
	}{
		{name: "up to MaxInt", start: math.MaxInt - 1, by: 1},
		{name: "past MaxInt", start: math.MaxInt, by: 1},
		{name: "down to MinInt", start: math.MinInt + 1, by: -1},
		{name: "past MinInt", start: math.MinInt, by: -1},
		{name: "new field by MaxInt", absent: true, by: math.MaxInt},
		{name: "new field by MinInt", absent: true, by: math.MinInt},
		{name: "new field by MaxInt64", absent: true, by: math.MaxInt64},
		{name: "new field by MinInt64", absent: true, by: math.MinInt64},
		{name: "far past MaxInt", start: 1, by: math.MaxInt64},
		{name: "far past MinInt", start: -2, by: math.MinInt64},
		{name: "MaxInt by MinInt64", start: math.MaxInt, by: math.MinInt64},
		{name: "MinInt by MaxInt64", start: math.MinInt, by: math.MaxInt64},
		{name: "MinInt by MaxInt+1", start: math.MinInt, by: pastMaxInt},
	} {
		t.Run(c.name, func(t *testing.T) {
			// The count in exact arithmetic, and whether an int holds it.
			sum := new(big.Int).Add(big.NewInt(int64(c.start)), big.NewInt(c.by))
			fits := sum.Cmp(big.NewInt(math.MinInt)) >= 0 && sum.Cmp(big.NewInt(math.MaxInt)) <= 0

			key := NewKey(t)
			rec := NewRecord(time.Hour, "other", "x")
			if !c.absent {
				rec.SetField("n", c.start)
			}
			mustCreate(t, s, key, rec)
			got, err := s.Increment(ctx(t), key, "n", c.by)
			switch {
			case fits && (err != nil || got != sum.Int64()):
				t.Errorf("Increment(%d by %d) = %d, %v; want %d", c.start, c.by, got, err, sum)
			case !fits && (!errors.Is(err, sessions.ErrNotInteger) || got != 0):
				t.Errorf("Increment(%d by %d) = %d, %v; want 0, ErrNotInteger (%d is outside the int range %d..%d)",
					c.start, c.by, got, err, sum, math.MinInt, math.MaxInt)
			}
			r, found, err := s.Load(ctx(t), key)
			if err != nil || !found {
				t.Fatalf("Load after Increment(%d by %d) = found %v, %v; want the record", c.start, c.by, found, err)
			}
			v, ok := values(r)["n"]
			switch {
			case fits && (!ok || v != int(sum.Int64())):
				t.Fatalf("n after Increment(%d by %d) = %T(%v); want int(%d)", c.start, c.by, v, v, sum)
			case !fits && c.absent && ok:
				t.Fatalf("n after a refused Increment by %d = %T(%v); want it still absent", c.by, v, v)
			case !fits && !c.absent && v != c.start:
				t.Fatalf("n after a refused Increment(%d by %d) = %T(%v); want it unchanged", c.start, c.by, v, v)
			}
			if got := values(r)["other"]; got != "x" {
				t.Fatalf("other after Increment = %#v, want \"x\"", got)
			}
		})
	}
}
