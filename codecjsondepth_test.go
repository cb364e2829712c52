package sessions_test

import (
	"errors"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestEncodeRefusesJSONDecodeRefuses checks the codec's promise that what
// EncodeValue and MarshalRecord write, DecodeValue and UnmarshalRecord read
// back, for values that take the JSON fallback too: a struct holding data
// nested deeper than encoding/json parses (10,000 levels) must be refused
// with ErrUnsupportedValue when it is written, not stored and then refused
// as corrupt on the next load, which loses the whole session (bbolt and the
// cookie store keep one blob per session).
func TestEncodeRefusesJSONDecodeRefuses(t *testing.T) {
	var deep any = "leaf"
	for range 10001 {
		deep = []any{deep}
	}
	v := struct{ Tree any }{deep}

	b, err := sessions.EncodeValue(v)
	if err == nil {
		if _, derr := sessions.DecodeValue(b); derr != nil {
			t.Errorf("EncodeValue accepted the value, DecodeValue refuses its encoding: %v", derr)
		}
	} else if !errors.Is(err, sessions.ErrUnsupportedValue) {
		t.Errorf("EncodeValue: %v, want nil or ErrUnsupportedValue", err)
	}

	rec := &sessions.Record{Meta: sessions.Meta{User: "alice"}}
	rec.SetField("tree", v)
	rec.SetField("user", "alice")
	rb, err := sessions.MarshalRecord(rec)
	if err == nil {
		if _, uerr := sessions.UnmarshalRecord(rb); uerr != nil {
			t.Errorf("MarshalRecord accepted the record, UnmarshalRecord refuses it: %v", uerr)
		}
	} else if !errors.Is(err, sessions.ErrUnsupportedValue) {
		t.Errorf("MarshalRecord: %v, want nil or ErrUnsupportedValue", err)
	}
}
