package redis

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/storetest"
)

// TestValueSizeBoundary checks that Options.MaxValueSize is inclusive on
// both sides: a value that encodes to exactly the limit is written by
// Create and Commit and read back by Load (the write and the read must
// agree, or a session the store accepted would load as corrupt), and one
// byte more is sessions.ErrTooLarge.
func TestValueSizeBoundary(t *testing.T) {
	t.Parallel()
	c := sharedClient(t)
	const limit = 32
	s := newTestStore(t, c, Options{MaxValueSize: limit})
	ctx := t.Context()
	fits := ""
	for n := 0; ; n++ {
		v := strings.Repeat("a", n)
		b, err := sessions.EncodeValue(v)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) == limit {
			fits = v
			break
		}
		if len(b) > limit {
			t.Fatalf("no string encodes to exactly %d bytes", limit)
		}
	}
	key := storetest.NewKey(t)
	if err := s.Create(ctx, key, storetest.NewRecord(time.Hour, "a", fits)); err != nil {
		t.Fatalf("Create with a value of exactly MaxValueSize bytes: %v", err)
	}
	d := &sessions.Delta{Set: []sessions.Field{{Key: "b", Value: fits}}}
	if err := s.Commit(ctx, key, d); err != nil {
		t.Fatalf("Commit with a value of exactly MaxValueSize bytes: %v", err)
	}
	rec, found, err := s.Load(ctx, key)
	if err != nil || !found {
		t.Fatalf("Load of values of exactly MaxValueSize bytes: found %v, %v", found, err)
	}
	for _, k := range []string{"a", "b"} {
		if v, _ := rec.Lookup(k); v != fits {
			t.Errorf("value %q = %v, want %q", k, v, fits)
		}
	}
	d = &sessions.Delta{Set: []sessions.Field{{Key: "c", Value: fits + "a"}}}
	if err := s.Commit(ctx, key, d); !errors.Is(err, sessions.ErrTooLarge) {
		t.Errorf("Commit with a value one byte over MaxValueSize: %v, want ErrTooLarge", err)
	}
}
