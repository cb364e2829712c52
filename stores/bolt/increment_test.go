package bolt

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/storetest"
)

// TestIncrementTooLarge checks that an Increment whose new field would take
// the record over the size limit is refused with ErrTooLarge, returns 0
// rather than a count that was never stored, and leaves the record as it
// was.
func TestIncrementTooLarge(t *testing.T) {
	s := openTest(t, Options{})
	ctx := t.Context()
	key := storetest.NewKey(t)
	// A record whose one value fills it to within a few bytes of the limit.
	size := func(n int) int {
		b, err := sessions.MarshalRecord(storetest.NewRecord(time.Hour, "big", strings.Repeat("x", n)))
		if err != nil {
			t.Fatal(err)
		}
		return len(b)
	}
	n := sessions.DefaultMaxRecordSize - 64
	n += sessions.DefaultMaxRecordSize - size(n)
	if got := size(n); got > sessions.DefaultMaxRecordSize || got < sessions.DefaultMaxRecordSize-8 {
		t.Fatalf("setup: record of %d bytes, want just under %d", got, sessions.DefaultMaxRecordSize)
	}
	if err := s.Create(ctx, key, storetest.NewRecord(time.Hour, "big", strings.Repeat("x", n))); err != nil {
		t.Fatalf("Create of a record just under the limit: %v", err)
	}
	field := strings.Repeat("c", 64) // its key alone takes the record over
	got, err := s.Increment(ctx, key, field, 5)
	if !errors.Is(err, sessions.ErrTooLarge) {
		t.Fatalf("Increment = %d, %v; want ErrTooLarge", got, err)
	}
	if got != 0 {
		t.Errorf("refused Increment returned %d, want 0: the count was not stored", got)
	}
	rec, found, err := s.Load(ctx, key)
	if err != nil || !found {
		t.Fatalf("Load after the refused Increment: %v, %v", found, err)
	}
	if _, ok := rec.Lookup(field); ok {
		t.Errorf("the refused Increment's field was stored")
	}
	if v, _ := rec.Lookup("big"); v != strings.Repeat("x", n) {
		t.Errorf("the record's value changed")
	}
}
