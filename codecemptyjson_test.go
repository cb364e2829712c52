package sessions_test

import (
	"encoding/json"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestEncodeEmptyJSONAsNull checks that an empty sessions.JSON, which
// JSON.MarshalJSON writes as null (and which the memory store keeps), can
// be stored by the encoding stores too: EncodeValue must not refuse the
// type's zero value as invalid JSON, failing the commit, and what it writes
// must read back as the same document MarshalJSON gives.
func TestEncodeEmptyJSONAsNull(t *testing.T) {
	for _, v := range []any{sessions.JSON(nil), sessions.JSON{}, []any{sessions.JSON(nil)}} {
		b, err := sessions.EncodeValue(v)
		if err != nil {
			t.Errorf("EncodeValue(%#v): %v, want the JSON null", v, err)
			continue
		}
		got, err := sessions.DecodeValue(b)
		if err != nil {
			t.Errorf("DecodeValue(EncodeValue(%#v)): %v", v, err)
			continue
		}
		want, _ := json.Marshal(v)
		if gb, _ := json.Marshal(got); string(gb) != string(want) {
			t.Errorf("%#v round-trips as %s, want %s", v, gb, want)
		}
	}
}
