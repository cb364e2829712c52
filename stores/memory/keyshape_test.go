package memory_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
)

// TestKeyNotHexNotFound checks that a key of a store key's length that is
// not 64 lowercase hex digits reaches no record, even one whose key it
// would decode to if its odd digits were taken for hex: the store keeps
// keys decoded to bytes, and a stray 'z' or 'F' beside an 'f' must not
// read as the byte the stored key holds there.
func TestKeyNotHexNotFound(t *testing.T) {
	ctx := context.Background()
	st := memory.New(memory.Options{CleanupInterval: time.Hour})
	t.Cleanup(func() { st.Close() })
	// A key of 0xff bytes: any bad digit beside an 'f' decodes, unchecked,
	// to the same byte (0xf0 | 0x0f, or 0xff | anything).
	stored := strings.Repeat("f", 64)
	rec := &sessions.Record{Meta: sessions.Meta{Expires: time.Now().Add(time.Hour).UnixNano()}}
	if err := st.Create(ctx, stored, rec); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, key string }{
		{"uppercase", strings.ToUpper(stored)},
		{"z first", "z" + stored[1:]},
		{"z second", "fz" + stored[2:]},
		{"z last", stored[:63] + "z"},
		{"space", " " + stored[1:]},
		{"high byte", "\xff" + stored[1:]},
		{"NUL", stored[:10] + "\x00" + stored[11:]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, found, err := st.Load(ctx, tc.key); found || err != nil {
				t.Errorf("Load(%q) = %v, %v, %v; want not found", tc.key, got, found, err)
			}
			d := &sessions.Delta{Set: []sessions.Field{{Key: "x", Value: 1}}}
			if err := st.Commit(ctx, tc.key, d); !errors.Is(err, sessions.ErrNotFound) {
				t.Errorf("Commit(%q) = %v, want ErrNotFound", tc.key, err)
			}
			if n, err := st.Increment(ctx, tc.key, "n", 1); !errors.Is(err, sessions.ErrNotFound) {
				t.Errorf("Increment(%q) = %d, %v; want ErrNotFound", tc.key, n, err)
			}
			if err := st.Delete(ctx, tc.key); err != nil {
				t.Errorf("Delete(%q) = %v", tc.key, err)
			}
			if err := st.Create(ctx, tc.key, rec); err == nil {
				t.Errorf("Create(%q) stored a record under a key that is not a store key", tc.key)
			}
			got, found, err := st.Load(ctx, stored)
			if !found || err != nil {
				t.Fatalf("the record under %s is gone after calls on %q: %v, %v", stored, tc.key, found, err)
			}
			if _, ok := got.Lookup("x"); ok {
				t.Errorf("a Commit on %q wrote into the record under %s", tc.key, stored)
			}
		})
	}
}
