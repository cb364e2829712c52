package postgres

import (
	"errors"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/storetest"
)

// TestWritesRefuseRowOfAnotherFormat checks that Commit, Increment,
// Rename and RenameCommit refuse a row of another format version with
// ErrCorrupt, as Load does, and leave it as the release that wrote it left
// it. They wrote into it (Increment even counted from zero in it) or moved
// it to another key: in a rolling upgrade, an instance of the older release
// committing a request it loaded before would have done so.
func TestWritesRefuseRowOfAnotherFormat(t *testing.T) {
	s := newTestStore(t, Options{CleanupInterval: -1})
	for _, c := range []struct {
		name string
		op   func(key string) error
	}{
		{"Commit", func(key string) error {
			return s.Commit(t.Context(), key, &sessions.Delta{Set: []sessions.Field{{Key: "x", Value: 1}}})
		}},
		{"Increment", func(key string) error {
			_, err := s.Increment(t.Context(), key, "n", 1)
			return err
		}},
		{"Rename", func(key string) error {
			return s.Rename(t.Context(), key, storetest.NewKey(t), time.Minute)
		}},
		{"RenameCommit", func(key string) error {
			return s.RenameCommit(t.Context(), key, storetest.NewKey(t), time.Minute,
				&sessions.Delta{Set: []sessions.Field{{Key: "x", Value: 1}}})
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			key := storetest.NewKey(t)
			mustCreateRec(t, s, key, storetest.NewRecord(time.Hour, "role", "admin"))
			exec(t, s, `UPDATE {s} SET version = 2 WHERE key = $1`, key)
			if _, _, err := s.Load(t.Context(), key); !errors.Is(err, sessions.ErrCorrupt) {
				t.Fatalf("precondition: Load of the version-2 row: %v, want ErrCorrupt", err)
			}

			err := c.op(key)

			var rows, values int
			if err := s.pool.QueryRow(t.Context(), `SELECT count(*) FROM `+quote(s.table)+` WHERE key = $1 AND version = 2`, key).Scan(&rows); err != nil {
				t.Fatal(err)
			}
			if err := s.pool.QueryRow(t.Context(), `SELECT count(*) FROM `+quote(s.table+"_values")+` WHERE key = $1`, key).Scan(&values); err != nil {
				t.Fatal(err)
			}
			if !errors.Is(err, sessions.ErrCorrupt) {
				t.Errorf("%s on a row Load refuses as corrupt (format version 2) = %v, want ErrCorrupt", c.name, err)
			}
			if rows != 1 || values != 1 {
				t.Errorf("after %s the version-2 row is under its key %d times with %d values; want it untouched (1 row, its 1 value)", c.name, rows, values)
			}
		})
	}
}
