package sessions_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestMaxSizeIncrementNewCounterRoom checks how an Increment of a counter
// the session does not hold is counted against Options.MaxSize: as its key
// plus the most bytes an int takes (20, "-9223372036854775808"), since the
// store's count is not known before it. With exactly that room it counts;
// with a byte less it is refused with ErrTooLarge.
func TestMaxSizeIncrementNewCounterRoom(t *testing.T) {
	const limit, key = 100, "visits"
	for _, tc := range []struct {
		room   int
		refuse bool
	}{
		{len(key) + 20, false},
		{len(key) + 19, true},
		{20, true},
	} {
		m, _ := newTestManager(t, sessions.Options{MaxSize: limit})
		pad := strings.Repeat("x", limit-tc.room-sizeOf(t, "pad", ""))
		h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s := m.Start(w, r)
			s.Set("pad", pad)
			if err := s.Save(); err != nil {
				t.Fatalf("Save %d bytes under the cap: %v", tc.room, err)
			}
			n, err := s.Increment(key, 1)
			switch {
			case tc.refuse && (!errors.Is(err, sessions.ErrTooLarge) || n != 0):
				t.Errorf("Increment(%s, 1) of a new counter %d bytes under the cap = %d, %v; want 0, ErrTooLarge (it is counted as %d bytes)", key, tc.room, n, err, len(key)+20)
			case !tc.refuse && (err != nil || n != 1):
				t.Errorf("Increment(%s, 1) of a new counter %d bytes under the cap = %d, %v; want 1", key, tc.room, n, err)
			}
		}))
		if resp := serveCookie(h, "https://example.com/", nil).Result(); resp.StatusCode != http.StatusOK {
			t.Errorf("status %d", resp.StatusCode)
		}
	}
}
