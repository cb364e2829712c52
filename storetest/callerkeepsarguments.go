package storetest

import (
	"reflect"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// testCallerKeepsArguments checks that a store keeps copies of what Create
// and Commit are given: the record, the delta's fields and its metadata
// belong to the caller, which reuses their memory afterwards (a session
// reuses its buffer of changed values for the next change), so changing
// them after the call must not change the stored session.
func testCallerKeepsArguments(t *testing.T, h Harness) {
	s := h.New(t)

	t.Run("Create", func(t *testing.T) {
		key := NewKey(t)
		rec := NewRecord(time.Hour, "a", 1, "b", "two")
		rec.User = "alice"
		want := rec.Clone()
		mustCreate(t, s, key, rec)
		rec.Fields[0].Value = 100
		rec.Fields[1] = sessions.Field{Key: "c", Value: "changed"}
		rec.User, rec.Expires = "mallory", rec.Expires+1
		got := mustLoad(t, s, key)
		if !reflect.DeepEqual(values(got), values(want)) || got.Meta != want.Meta {
			t.Fatalf("the caller changed the record after Create and the stored one changed with it:\n got %+v %v\nwant %+v %v", got.Meta, values(got), want.Meta, values(want))
		}
	})

	for _, tc := range []struct {
		name  string
		clear bool
	}{{"Commit", false}, {"Commit with Clear", true}} {
		t.Run(tc.name, func(t *testing.T) {
			key := NewKey(t)
			mustCreate(t, s, key, NewRecord(time.Hour, "keep", 1))
			meta := mustLoad(t, s, key).Meta
			meta.User = "bob"
			d := &sessions.Delta{
				Clear: tc.clear,
				Set:   []sessions.Field{{Key: "x", Value: 1}, {Key: "y", Value: "why"}},
				Meta:  &meta,
			}
			if err := s.Commit(ctx(t), key, d); err != nil {
				t.Fatalf("Commit: %v", err)
			}
			want := values(mustLoad(t, s, key))
			d.Set[0].Value = 100
			d.Set[1] = sessions.Field{Key: "z", Value: "changed"}
			meta.User = "mallory"
			got := mustLoad(t, s, key)
			if !reflect.DeepEqual(values(got), want) || got.User != "bob" {
				t.Fatalf("the caller changed the delta after Commit and the stored session changed with it: got user %q, values %v; want user %q, values %v", got.User, values(got), "bob", want)
			}
		})
	}
}
