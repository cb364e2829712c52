package redis

import (
	"errors"
	"math"
	"math/big"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestIncrementFieldText checks what Increment leaves in the field's stored
// text when the old value or the count is past 2^53, where a Lua number (a
// double) is no longer exact: the exact count when it is within the range
// of an int on this platform, else, refused with ErrNotInteger, the old
// text byte for byte. On a 64-bit platform every row is counted (HINCRBY's
// own arithmetic); on a 32-bit one all rows but the last leave the int
// range, and the script must put back the text it read rather than compute
// the old value from the new one.
func TestIncrementFieldText(t *testing.T) {
	t.Parallel()
	c := sharedClient(t)
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			ctx := t.Context()
			s := newTestStore(t, c, p.o)
			for _, tc := range []struct {
				old string // the field's text before
				by  int64
			}{
				{"9007199254740993", 2},                 // 2^53+1
				{"-9007199254740993", -2},               // -(2^53+1)
				{"9007199254740993", -1},                // to 2^53
				{"4611686018427387905", 10},             // 2^62+1
				{"9007199254740993", -9007199254740988}, // to 5: the count is judged, not the old value
			} {
				start, _ := new(big.Int).SetString(tc.old, 10)
				sum := new(big.Int).Add(start, big.NewInt(tc.by))
				fits := sum.Cmp(big.NewInt(math.MinInt)) >= 0 && sum.Cmp(big.NewInt(math.MaxInt)) <= 0

				key, hk, field := withFieldText(t, s, c, "n", tc.old)
				got, err := s.Increment(ctx, key, "n", tc.by)
				want := tc.old
				if fits {
					want = sum.String()
				}
				switch {
				case fits && (err != nil || got != sum.Int64()):
					t.Errorf("Increment(%s by %d) = %d, %v; want %d", tc.old, tc.by, got, err, sum)
				case !fits && (!errors.Is(err, sessions.ErrNotInteger) || got != 0):
					t.Errorf("Increment(%s by %d) = %d, %v; want 0, ErrNotInteger (outside the int range)", tc.old, tc.by, got, err)
				}
				if text, err := c.HGet(ctx, hk, field).Result(); err != nil || text != want {
					t.Errorf("field text after Increment(%s by %d) = %q, %v; want %q", tc.old, tc.by, text, err, want)
				}
			}
		})
	}
}
