package postgres

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/storetest"
)

// Options.MaxValueSize is exact on both sides: a value whose encoding takes
// exactly the limit is written and loaded; one byte more is refused, by
// Create and Commit with sessions.ErrTooLarge and, found stored, by Load
// as sessions.ErrCorrupt.
func TestValueSizeBoundary(t *testing.T) {
	const limit = 100
	s := newTestStore(t, Options{CleanupInterval: -1, MaxValueSize: limit})
	// A string encodes as one tag byte and its bytes.
	fits, over := strings.Repeat("a", limit-1), strings.Repeat("a", limit)
	for _, c := range []struct {
		name  string
		value string
		want  error // nil: accepted
	}{
		{"at the limit", fits, nil},
		{"one byte over", over, sessions.ErrTooLarge},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := t.Context()
			key := storetest.NewKey(t)
			err := s.Create(ctx, key, storetest.NewRecord(time.Hour, "v", c.value))
			if c.want == nil && err != nil || c.want != nil && !errors.Is(err, c.want) {
				t.Errorf("Create with a %d-byte value under a %d-byte limit: %v; want %v", len(c.value)+1, limit, err, c.want)
			}
			other := storetest.NewKey(t)
			mustCreateRec(t, s, other, storetest.NewRecord(time.Hour))
			err = s.Commit(ctx, other, &sessions.Delta{Set: []sessions.Field{{Key: "v", Value: c.value}}})
			if c.want == nil && err != nil || c.want != nil && !errors.Is(err, c.want) {
				t.Errorf("Commit of a %d-byte value under a %d-byte limit: %v; want %v", len(c.value)+1, limit, err, c.want)
			}

			// The same bytes found in the table, as another instance with
			// a larger limit would have written them.
			stored := storetest.NewKey(t)
			mustCreateRec(t, s, stored, storetest.NewRecord(time.Hour))
			exec(t, s, `INSERT INTO {v} (key, name, value) VALUES ($1, 'v', $2)`, stored, []byte("s"+c.value))
			_, found, err := s.Load(ctx, stored)
			switch {
			case c.want == nil && (err != nil || !found):
				t.Errorf("Load of a stored %d-byte value under a %d-byte limit = found %v, %v; want the session", len(c.value)+1, limit, found, err)
			case c.want != nil && !errors.Is(err, sessions.ErrCorrupt):
				t.Errorf("Load of a stored %d-byte value under a %d-byte limit = found %v, %v; want ErrCorrupt", len(c.value)+1, limit, found, err)
			}
		})
	}
}
