package storetest

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// testRenameAnswers checks the answers Rename's contract decides when the
// keys are not simply a live old key and a free new one: Rename judges the
// old key first, so a key renamed onto itself is ErrNotFound when it holds
// no live record and ErrExists when it does, a Rename repeated after it
// succeeded is ErrNotFound (with or without a grace), and an absent old key
// is ErrNotFound even when the new key is taken. None of these changes
// what any key loads. RenameCommit, when the store has it, answers the
// same and applies its delta nowhere.
func testRenameAnswers(t *testing.T, h Harness) {
	s := h.New(t)
	type renameFunc func(t *testing.T, oldKey, newKey string, grace time.Duration, field string) error
	ops := []struct {
		name   string
		rename renameFunc
	}{
		{"Rename", func(t *testing.T, oldKey, newKey string, grace time.Duration, _ string) error {
			return s.Rename(ctx(t), oldKey, newKey, grace)
		}},
	}
	if rc, ok := s.(sessions.RenameCommitter); ok && !errors.Is(rc.RenameCommit(ctx(t), NewKey(t), NewKey(t), 0, &sessions.Delta{}), errors.ErrUnsupported) {
		ops = append(ops, struct {
			name   string
			rename renameFunc
		}{"RenameCommit", func(t *testing.T, oldKey, newKey string, grace time.Duration, field string) error {
			d := &sessions.Delta{Set: []sessions.Field{{Key: field, Value: 1}}}
			return rc.RenameCommit(ctx(t), oldKey, newKey, grace, d)
		}})
	}
	cases := []struct {
		name string
		// setup prepares the keys with rename (the operation under test,
		// for a first rename that succeeds) and returns the keys of the
		// call under test and every key whose loads must not change.
		setup func(t *testing.T, rename renameFunc) (oldKey, newKey string, watch []string)
		want  error
	}{
		{
			name: "onto itself, absent",
			setup: func(t *testing.T, _ renameFunc) (string, string, []string) {
				k := NewKey(t)
				return k, k, []string{k}
			},
			want: sessions.ErrNotFound,
		},
		{
			name: "onto itself, a grace alias",
			setup: func(t *testing.T, rename renameFunc) (string, string, []string) {
				k, to := NewKey(t), NewKey(t)
				mustCreate(t, s, k, NewRecord(time.Hour, "a", 1))
				if err := rename(t, k, to, time.Hour, "first"); err != nil {
					t.Fatalf("first rename: %v", err)
				}
				return k, k, []string{k, to}
			},
			want: sessions.ErrNotFound,
		},
		{
			name: "onto itself, live",
			setup: func(t *testing.T, _ renameFunc) (string, string, []string) {
				k := NewKey(t)
				mustCreate(t, s, k, NewRecord(time.Hour, "a", 1))
				return k, k, []string{k}
			},
			want: sessions.ErrExists,
		},
		{
			name: "repeated after success without a grace",
			setup: func(t *testing.T, rename renameFunc) (string, string, []string) {
				a, b := NewKey(t), NewKey(t)
				mustCreate(t, s, a, NewRecord(time.Hour, "a", 1))
				if err := rename(t, a, b, 0, "first"); err != nil {
					t.Fatalf("first rename: %v", err)
				}
				return a, b, []string{a, b}
			},
			want: sessions.ErrNotFound,
		},
		{
			name: "repeated after success with a grace",
			setup: func(t *testing.T, rename renameFunc) (string, string, []string) {
				a, b := NewKey(t), NewKey(t)
				mustCreate(t, s, a, NewRecord(time.Hour, "a", 1))
				if err := rename(t, a, b, time.Hour, "first"); err != nil {
					t.Fatalf("first rename: %v", err)
				}
				return a, b, []string{a, b}
			},
			want: sessions.ErrNotFound,
		},
		{
			name: "absent onto a taken key",
			setup: func(t *testing.T, _ renameFunc) (string, string, []string) {
				a, b := NewKey(t), NewKey(t)
				mustCreate(t, s, b, NewRecord(time.Hour, "b", 1))
				return a, b, []string{a, b}
			},
			want: sessions.ErrNotFound,
		},
	}
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) {
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					oldKey, newKey, watch := c.setup(t, op.rename)
					before := loads(t, s, watch)
					for _, grace := range []time.Duration{0, time.Hour} {
						err := op.rename(t, oldKey, newKey, grace, "second")
						if !errors.Is(err, c.want) {
							t.Errorf("%s with grace %v: %v, want %s", op.name, grace, err, errName(c.want))
						}
					}
					if after := loads(t, s, watch); !reflect.DeepEqual(after, before) {
						t.Errorf("loads after the failed %s = %v, want them unchanged: %v", op.name, after, before)
					}
				})
			}
		})
	}
}

// loads returns the values each of keys loads (nil: not found).
func loads(t *testing.T, s sessions.Store, keys []string) []map[string]any {
	t.Helper()
	out := make([]map[string]any, len(keys))
	for i, k := range keys {
		r, found, err := s.Load(ctx(t), k)
		if err != nil {
			t.Fatalf("Load(%s…): %v", k[:8], err)
		}
		if found {
			out[i] = values(r)
		}
	}
	return out
}
