package sessions_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestUnmarshalRecordRefusesFieldOrder checks UnmarshalRecord's promise
// that a record whose fields are not sorted by key with each key once, as
// MarshalRecord writes them and Record requires, is refused as corrupt: a
// key twice would leave Delete and Set acting on one copy of it only.
func TestUnmarshalRecordRefusesFieldOrder(t *testing.T) {
	rec := &sessions.Record{}
	rec.SetField("k1", 1)
	rec.SetField("k2", 2)
	b, err := sessions.MarshalRecord(rec)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sessions.UnmarshalRecord(b); err != nil {
		t.Fatalf("UnmarshalRecord of MarshalRecord's output: %v", err)
	}
	for _, tc := range []struct {
		name     string
		from, to string // the key written over, and its replacement
	}{
		{"key twice", "\x02k2", "\x02k1"},
		{"keys out of order", "\x02k1", "\x02k3"},
	} {
		if bytes.Count(b, []byte(tc.from)) != 1 {
			t.Fatalf("%s: the encoding holds %q %d times, want once", tc.name, tc.from, bytes.Count(b, []byte(tc.from)))
		}
		forged := bytes.Replace(b, []byte(tc.from), []byte(tc.to), 1)
		got, err := sessions.UnmarshalRecord(forged)
		if !errors.Is(err, sessions.ErrCorrupt) {
			t.Errorf("%s: UnmarshalRecord = %+v, %v; want ErrCorrupt", tc.name, got, err)
		}
	}
}
