package sessions_test

import (
	"errors"
	"math"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestIncrementContractInCookieStore checks Session.Increment's doc on the
// cookie store as on the memory store: "a value of any type but int (an
// int64, a float64) is ErrNotInteger in every store, as is a count that
// would leave the range of an int ..., and the value is left as it was".
func TestIncrementContractInCookieStore(t *testing.T) {
	for _, c := range []struct {
		name string
		v    any
		by   int64
	}{
		{"int64", int64(3), 1},
		{"whole float64", 2.0, 1},
		{"uint8", uint8(4), 1},
		{"int at MaxInt", math.MaxInt, 1},
		{"int at MinInt", math.MinInt, -1},
	} {
		for name, store := range map[string]sessions.Store{"memory": newMemoryStore(t), "cookie": newCookieStore(t)} {
			m, err := sessions.NewManager(store, sessions.Options{})
			if err != nil {
				t.Fatal(err)
			}
			parityRoundTrip(t, m, map[string]any{"n": c.v}, func(s *sessions.Session) map[string]any {
				n, err := s.Increment("n", c.by)
				if !errors.Is(err, sessions.ErrNotInteger) {
					t.Errorf("%s store: Increment(%s %v, %d) = %d, %v; want ErrNotInteger", name, c.name, c.v, c.by, n, err)
				}
				if got := s.Get("n"); got != c.v {
					t.Errorf("%s store: after Increment of %s, n = %T(%v); want it unchanged", name, c.name, got, got)
				}
				return nil
			})
		}
	}
}
