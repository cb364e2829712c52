package sessions_test

import (
	"errors"
	"math"
	"net/http"
	"strings"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestMaxSizeIncrementOverflowNotTooLarge checks that an Increment whose
// count would overflow, in a session at its cap, fails with the store's
// ErrNotInteger, as it does with room to spare: the wrapped count's digits
// ("-9223372036854775808" has one more than MaxInt64's) must not be counted
// as a size the session would grow by, turning it into ErrTooLarge.
func TestMaxSizeIncrementOverflowNotTooLarge(t *testing.T) {
	const limit = 100
	for _, tc := range []struct {
		start, by int
	}{
		{math.MaxInt, 1},
		{math.MaxInt - 1, 5},
	} {
		m, _ := newTestManager(t, sessions.Options{MaxSize: limit})
		pad := strings.Repeat("x", limit-sizeOf(t, "hits", tc.start, "pad", ""))
		h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s := m.Start(w, r)
			s.Set("hits", tc.start)
			s.Set("pad", pad)
			if err := s.Save(); err != nil {
				t.Fatalf("Save at the cap: %v", err)
			}
			n, err := s.Increment("hits", int64(tc.by))
			if !errors.Is(err, sessions.ErrNotInteger) || errors.Is(err, sessions.ErrTooLarge) {
				t.Errorf("Increment(hits, %d) of %d at the cap = %d, %v; want ErrNotInteger (the count would overflow)", tc.by, tc.start, n, err)
			}
		}))
		if resp := serveCookie(h, "https://example.com/", nil).Result(); resp.StatusCode != http.StatusOK {
			t.Errorf("status %d", resp.StatusCode)
		}
	}
}
