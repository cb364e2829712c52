package storetest

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// testLoadedRecordUnchanged checks that a record Load returned stays as it
// was loaded while the session is written afterwards (by Commit, Increment,
// RenameCommit and Delete): a request reads the record it loaded without a
// lock while other requests write the same session, so a store that hands
// out the record it keeps must replace it on a write, never change it.
func testLoadedRecordUnchanged(t *testing.T, h Harness) {
	s := h.New(t)
	key := NewKey(t)
	rec := NewRecord(time.Hour, "a", 1, "b", "two", "n", 5)
	rec.User = "alice"
	mustCreate(t, s, key, rec)
	loaded := mustLoad(t, s, key)
	meta, fields := loaded.Meta, slices.Clone(loaded.Fields)

	check := func(after string) {
		t.Helper()
		if loaded.Meta != meta || !reflect.DeepEqual(loaded.Fields, fields) {
			t.Fatalf("a record Load returned changed after %s:\n got %+v %v\nwant %+v %v", after, loaded.Meta, loaded.Fields, meta, fields)
		}
	}
	if _, err := s.Increment(ctx(t), key, "n", 1); err != nil {
		t.Fatalf("Increment: %v", err)
	}
	check("Increment of a field it holds")
	if _, err := s.Increment(ctx(t), key, "c", 1); err != nil {
		t.Fatalf("Increment: %v", err)
	}
	check("Increment of a new field")
	m := meta
	m.User, m.LastSeen = "bob", meta.LastSeen+1
	d := &sessions.Delta{Set: []sessions.Field{{Key: "a", Value: 2}}, Del: []string{"b"}, Meta: &m}
	if err := s.Commit(ctx(t), key, d); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	check("Commit")
	if rc, ok := s.(sessions.RenameCommitter); ok {
		d := &sessions.Delta{Set: []sessions.Field{{Key: "a", Value: 3}}}
		if err := rc.RenameCommit(ctx(t), key, NewKey(t), time.Minute, d); err == nil {
			check("RenameCommit")
		}
	}
	if err := s.Delete(ctx(t), key); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	check("Delete")
}
