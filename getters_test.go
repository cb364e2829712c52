package sessions_test

import (
	"math"
	"math/bits"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestGettersOutOfRange checks the getters' documented zero for a value
// they cannot return exactly, and their conversion of one they can.
func TestGettersOutOfRange(t *testing.T) {
	m, _ := newTestManager(t, sessions.Options{})
	id := seedSession(t, m)
	do(t, m, id, func(s *sessions.Session) {
		s.Set("max", uint64(math.MaxUint64))
		// uint's top bit: 2^63 overflows int64; on a 32-bit platform
		// 2^31 does not.
		s.Set("big", uint(1)<<(bits.UintSize-1))
		var bigInt64 int64
		if bits.UintSize == 32 {
			bigInt64 = 1 << 31
		}
		for _, c := range []struct {
			name      string
			got, want any
		}{
			{"GetInt64 of MaxUint64", s.GetInt64("max"), int64(0)},
			{"GetInt64 of uint top bit", s.GetInt64("big"), bigInt64},
			{"GetInt of MaxUint64", s.GetInt("max"), 0},
			{"GetFloat64 of uint top bit", s.GetFloat64("big"), math.Exp2(bits.UintSize - 1)},
		} {
			if c.got != c.want {
				t.Errorf("%s = %#v, want %#v", c.name, c.got, c.want)
			}
		}
	})
}
