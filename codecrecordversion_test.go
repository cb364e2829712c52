package sessions_test

import (
	"errors"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestUnmarshalRecordRefusesUnknownVersion checks that UnmarshalRecord
// refuses, as ErrCorrupt, a record whose first byte is not the format
// version MarshalRecord writes, even when the rest would decode: a record
// of another format (an older or newer library's, or not a record at all)
// must not be read as if it were this one's.
func TestUnmarshalRecordRefusesUnknownVersion(t *testing.T) {
	good, err := sessions.MarshalRecord(&sessions.Record{
		Meta:   sessions.Meta{User: "alice"},
		Fields: []sessions.Field{{Key: "n", Value: 1}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sessions.UnmarshalRecord(good); err != nil {
		t.Fatalf("UnmarshalRecord of MarshalRecord's output: %v", err)
	}
	for _, version := range []byte{0, good[0] + 1, 0xff} {
		b := append([]byte{version}, good[1:]...)
		r, err := sessions.UnmarshalRecord(b)
		if !errors.Is(err, sessions.ErrCorrupt) {
			t.Errorf("UnmarshalRecord of a record of version %d = %+v, %v; want an error wrapping ErrCorrupt", version, r, err)
		}
	}
}
