package sessions_test

import (
	"testing"

	"github.com/sessionkit/sessions"
)

// TestMarshalRecordExactLimit checks the limit's boundary: a record of
// exactly DefaultMaxRecordSize bytes is within it, so MarshalRecord writes
// it and UnmarshalRecord reads it back.
func TestMarshalRecordExactLimit(t *testing.T) {
	rec := func(n int) *sessions.Record {
		return &sessions.Record{Fields: []sessions.Field{{Key: "big", Value: make([]byte, n)}}}
	}
	// The framing of a value near 1 MiB takes the same bytes for every
	// length near it: the record's size follows the value's one to one.
	probe := sessions.DefaultMaxRecordSize - 1024
	b, err := sessions.MarshalRecord(rec(probe))
	if err != nil {
		t.Fatal(err)
	}
	n := probe + sessions.DefaultMaxRecordSize - len(b)
	b, err = sessions.MarshalRecord(rec(n))
	if err != nil {
		t.Fatalf("MarshalRecord of a record of exactly DefaultMaxRecordSize (%d) bytes: %v; want it written", sessions.DefaultMaxRecordSize, err)
	}
	if len(b) != sessions.DefaultMaxRecordSize {
		t.Fatalf("the record takes %d bytes, want %d: the test's arithmetic is off", len(b), sessions.DefaultMaxRecordSize)
	}
	if _, err := sessions.UnmarshalRecord(b); err != nil {
		t.Fatalf("UnmarshalRecord of a record of exactly DefaultMaxRecordSize bytes: %v", err)
	}
}
