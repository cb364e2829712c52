package cookie_test

import (
	"strings"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestSealIDLengthBounds pins the session ID lengths Seal takes: 1 to 255
// bytes, each of which opens back unchanged.
func TestSealIDLengthBounds(t *testing.T) {
	s := newStore(t)
	for _, c := range []struct {
		n  int
		ok bool
	}{{0, false}, {1, true}, {sessions.IDLen, true}, {254, true}, {255, true}, {256, false}} {
		id := strings.Repeat("i", c.n)
		v, err := s.Seal("sid", id, &sessions.Record{})
		if !c.ok {
			if err == nil {
				t.Errorf("Seal of a %d-byte id: no error, want one", c.n)
			}
			continue
		}
		if err != nil {
			t.Errorf("Seal of a %d-byte id: %v, want success", c.n, err)
			continue
		}
		if got, _, err := s.Open("sid", v); err != nil || got != id {
			t.Errorf("%d-byte id: opened %d bytes, %v; want it back", c.n, len(got), err)
		}
	}
}
