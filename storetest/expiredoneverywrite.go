package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// testExpiredOnEveryWrite checks that Increment, Rename and RenameCommit,
// like Commit (ExpiredOnWrite), treat an expired record as absent:
// ErrNotFound, nothing written, and a Rename moves nothing to the new key,
// so an expired session cannot be counted in or carried to a new ID.
func testExpiredOnEveryWrite(t *testing.T, h Harness) {
	s := h.New(t)
	rc, _ := s.(sessions.RenameCommitter)
	ops := []struct {
		name string
		op   func(key, newKey string) error
	}{
		{"Increment", func(key, _ string) error {
			_, err := s.Increment(ctx(t), key, "n", 1)
			return err
		}},
		{"Rename", func(key, newKey string) error { return s.Rename(ctx(t), key, newKey, 0) }},
		{"Rename with grace", func(key, newKey string) error { return s.Rename(ctx(t), key, newKey, time.Minute) }},
		{"RenameCommit", func(key, newKey string) error {
			if rc == nil {
				return errors.ErrUnsupported
			}
			d := &sessions.Delta{Set: []sessions.Field{{Key: "y", Value: 2}}}
			return rc.RenameCommit(ctx(t), key, newKey, time.Minute, d)
		}},
	}
	keys := make([]string, len(ops))
	for i := range ops {
		keys[i] = NewKey(t)
		mustCreate(t, s, keys[i], NewRecord(1200*time.Millisecond, "n", 1))
	}
	time.Sleep(1500 * time.Millisecond)
	for i, tc := range ops {
		t.Run(tc.name, func(t *testing.T) {
			newKey := NewKey(t)
			err := tc.op(keys[i], newKey)
			if errors.Is(err, errors.ErrUnsupported) {
				t.Skip("store does not rename and commit in one step")
			}
			if !errors.Is(err, sessions.ErrNotFound) {
				t.Fatalf("%s of an expired record: err = %v, want ErrNotFound", tc.name, err)
			}
			mustMiss(t, s, keys[i])
			mustMiss(t, s, newKey)
		})
	}
}
