package sessions_test

import (
	"errors"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestMarshalRecordSizeLimit: UnmarshalRecord refuses a record over
// DefaultMaxRecordSize as corrupt, so MarshalRecord must refuse to make
// one: a store built on the two (a third-party one, or bbolt without its
// own check) would otherwise keep a session it can never load again, and
// the user would lose it on the next request. A record at the limit
// round-trips.
func TestMarshalRecordSizeLimit(t *testing.T) {
	// A []byte value costs its length plus a few bytes of framing; find
	// the largest that fits, then go one over.
	rec := func(n int) *sessions.Record {
		return &sessions.Record{Fields: []sessions.Field{{Key: "big", Value: make([]byte, n)}}}
	}
	base, err := sessions.MarshalRecord(rec(0))
	if err != nil {
		t.Fatal(err)
	}
	fit := sessions.DefaultMaxRecordSize - len(base) - 8
	for ; ; fit++ {
		b, err := sessions.MarshalRecord(rec(fit + 1))
		if err != nil || len(b) > sessions.DefaultMaxRecordSize {
			break
		}
	}
	b, err := sessions.MarshalRecord(rec(fit))
	if err != nil {
		t.Fatalf("MarshalRecord of a record of %d bytes: %v", len(b), err)
	}
	if _, err := sessions.UnmarshalRecord(b); err != nil {
		t.Fatalf("UnmarshalRecord of a %d-byte record MarshalRecord made: %v", len(b), err)
	}
	b, err = sessions.MarshalRecord(rec(fit + 1))
	if !errors.Is(err, sessions.ErrTooLarge) {
		_, uerr := sessions.UnmarshalRecord(b)
		t.Fatalf("MarshalRecord of a record one byte larger = %d bytes, %v; want an error wrapping ErrTooLarge (UnmarshalRecord of it: %v)", len(b), err, uerr)
	}
}
