package sessions_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestMaxSizeIncrementHeldCounter: an Increment of a counter the session
// holds is checked against Options.MaxSize as a Set of the new count would
// be (and as the cookie store's commit of it is): a count that gains a
// digit in a session at its cap is refused with ErrTooLarge, without
// ending the request's session or changing the count, while one that
// keeps or loses digits, or has room to gain one, counts.
func TestMaxSizeIncrementHeldCounter(t *testing.T) {
	const limit = 100
	for _, tc := range []struct {
		name      string
		start, by int
		room      int // bytes under the cap before the Increment
		refuse    bool
	}{
		{"9+1 at the cap", 9, 1, 0, true},
		{"0-1 at the cap", 0, -1, 0, true},
		{"99+1 one byte under the cap", 99, 1, 1, false},
		{"5+1 at the cap", 5, 1, 0, false},
		{"10-1 at the cap", 10, -1, 0, false},
		{"9+1 one byte under the cap", 9, 1, 1, false},
		{"1+1000 two bytes under the cap", 1, 1000, 2, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, _ := newTestManager(t, sessions.Options{MaxSize: limit})
			pad := strings.Repeat("x", limit-tc.room-sizeOf(t, "hits", tc.start, "pad", ""))
			h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				s := m.Start(w, r)
				s.Set("hits", tc.start)
				s.Set("pad", pad)
				if err := s.Save(); err != nil {
					t.Fatalf("Save %d bytes under the cap: %v", tc.room, err)
				}
				n, err := s.Increment("hits", int64(tc.by))
				if !tc.refuse {
					if err != nil || n != int64(tc.start+tc.by) {
						t.Errorf("Increment(hits, %d) of %d = %d, %v; want %d", tc.by, tc.start, n, err, tc.start+tc.by)
					}
					return
				}
				if !errors.Is(err, sessions.ErrTooLarge) || n != 0 {
					t.Errorf("Increment(hits, %d) of %d, %d bytes under the cap = %d, %v; want 0, ErrTooLarge", tc.by, tc.start, tc.room, n, err)
				}
				if s.Err() != nil {
					t.Errorf("a refused Increment ended the session: %v", s.Err())
				}
				if v, _ := s.Lookup("hits"); v != tc.start {
					t.Errorf("after a refused Increment the session holds hits = %v, want %d", v, tc.start)
				}
			}))
			if resp := serveCookie(h, "https://example.com/", nil).Result(); resp.StatusCode != http.StatusOK {
				t.Errorf("status %d", resp.StatusCode)
			}
		})
	}
}
