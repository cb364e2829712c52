package sessions_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestUnmarshalRecordRefusesMalformed checks that UnmarshalRecord refuses,
// as ErrCorrupt, records MarshalRecord never writes: one with bytes after
// its last field, and one with a field key that is not UTF-8 (which
// MarshalRecord refuses to write).
func TestUnmarshalRecordRefusesMalformed(t *testing.T) {
	good, err := sessions.MarshalRecord(&sessions.Record{
		Meta:   sessions.Meta{User: "alice"},
		Fields: []sessions.Field{{Key: "a", Value: 1}, {Key: "zz", Value: "v"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sessions.UnmarshalRecord(good); err != nil {
		t.Fatalf("UnmarshalRecord of MarshalRecord's output: %v", err)
	}
	if bytes.Count(good, []byte("zz")) != 1 {
		t.Fatalf("the key zz is not found once in the record %q", good)
	}
	for _, tc := range []struct {
		name string
		b    []byte
	}{
		{"a byte after the last field", append(bytes.Clone(good), 0)},
		{"bytes after the last field", append(bytes.Clone(good), "\x01a"...)},
		{"a field key not UTF-8", bytes.Replace(good, []byte("zz"), []byte("z\xff"), 1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := sessions.UnmarshalRecord(tc.b)
			if !errors.Is(err, sessions.ErrCorrupt) {
				t.Errorf("UnmarshalRecord(%q) = %#v, %v; want an error wrapping ErrCorrupt", tc.b, r, err)
			}
		})
	}
}
