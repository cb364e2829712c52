package sessions_test

import (
	"errors"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestMarshalRecordRefusesDuplicateKey checks that MarshalRecord refuses a
// record holding a key twice, with an error wrapping ErrUnsupportedValue:
// UnmarshalRecord refuses such a record as corrupt, so a store that kept it
// would hold a session no request could load.
func TestMarshalRecordRefusesDuplicateKey(t *testing.T) {
	for _, fields := range [][]sessions.Field{
		{{Key: "a", Value: 1}, {Key: "a", Value: 2}},
		{{Key: "a", Value: 1}, {Key: "b", Value: 2}, {Key: "b", Value: 2}},
		{{Key: "", Value: 1}, {Key: "", Value: 1}},
	} {
		b, err := sessions.MarshalRecord(&sessions.Record{Fields: fields})
		if !errors.Is(err, sessions.ErrUnsupportedValue) {
			_, uerr := sessions.UnmarshalRecord(b)
			t.Errorf("MarshalRecord of fields %v = %d bytes, %v; want an error wrapping ErrUnsupportedValue (UnmarshalRecord of it: %v)", fields, len(b), err, uerr)
		}
	}
}
