package sessions_test

import (
	"errors"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestEncodeValueRefusesInvalidJSON checks that a sessions.JSON value that
// is not a JSON document is refused on the way in, with an error wrapping
// ErrUnsupportedValue, alone or inside a container: DecodeValue refuses it
// as ErrCorrupt, so a store that kept it would hold a session no request
// could load.
func TestEncodeValueRefusesInvalidJSON(t *testing.T) {
	for _, v := range []any{
		sessions.JSON("{"),
		sessions.JSON(`{"a":1} x`),
		[]any{sessions.JSON("nul")},
		map[string]any{"k": sessions.JSON("'a'")},
	} {
		b, err := sessions.EncodeValue(v)
		if !errors.Is(err, sessions.ErrUnsupportedValue) {
			_, derr := sessions.DecodeValue(b)
			t.Errorf("EncodeValue(%#v) = %q, %v; want an error wrapping ErrUnsupportedValue (DecodeValue of it: %v)", v, b, err, derr)
		}
	}
}
