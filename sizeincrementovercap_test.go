package sessions_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
)

// TestMaxSizeIncrementOverCapKeepsDigits checks that Increment judges a held
// counter by what it would add, as its doc says: in a session already over
// Options.MaxSize (stored under a larger cap, before the cap was lowered),
// an Increment whose count keeps its number of digits adds nothing and
// counts, while one that gains a digit is refused with ErrTooLarge.
func TestMaxSizeIncrementOverCapKeepsDigits(t *testing.T) {
	mem := memory.New(memory.Options{})
	t.Cleanup(func() { mem.Close() })
	before, err := sessions.NewManager(mem, sessions.Options{MaxSize: 1000})
	if err != nil {
		t.Fatal(err)
	}
	id := seedSession(t, before)
	do(t, before, id, func(s *sessions.Session) {
		s.Set("hits", 5)
		s.Set("nines", 9)
		s.Set("pad", strings.Repeat("x", 200))
		if err := s.Save(); err != nil {
			t.Fatalf("Save under the larger cap: %v", err)
		}
	})
	after, err := sessions.NewManager(mem, sessions.Options{MaxSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	do(t, after, id, func(s *sessions.Session) {
		if n, err := s.Increment("hits", 1); err != nil || n != 6 {
			t.Errorf("Increment(hits, 1) of 5 in a session over the cap = %d, %v; want 6 (the count keeps its digits)", n, err)
		}
		if n, err := s.Increment("nines", 1); !errors.Is(err, sessions.ErrTooLarge) {
			t.Errorf("Increment(nines, 1) of 9 in a session over the cap = %d, %v; want ErrTooLarge (the count gains a digit)", n, err)
		}
	})
}
