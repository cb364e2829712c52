package sessions_test

import (
	"math"
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
		s.Set("big", uint(1)<<63)
		for _, c := range []struct {
			name      string
			got, want any
		}{
			{"GetInt64 of MaxUint64", s.GetInt64("max"), int64(0)},
			{"GetInt64 of uint 2^63", s.GetInt64("big"), int64(0)},
			{"GetInt of MaxUint64", s.GetInt("max"), 0},
			{"GetFloat64 of uint 2^63", s.GetFloat64("big"), math.Exp2(63)},
		} {
			if c.got != c.want {
				t.Errorf("%s = %#v, want %#v", c.name, c.got, c.want)
			}
		}
	})
}
