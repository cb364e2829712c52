package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// testRenameCommit checks sessions.RenameCommitter, for stores that
// implement it: the record moves with the delta applied, the old key behaves
// as after Rename, and a RenameCommit that fails applies the delta nowhere.
// A store that does not implement it, or answers errors.ErrUnsupported in
// the configuration under test, is skipped with a note.
func testRenameCommit(t *testing.T, h Harness) {
	s := h.New(t)
	rc, ok := s.(sessions.RenameCommitter)
	if !ok {
		t.Skip("the store does not implement sessions.RenameCommitter (optional)")
	}
	rec := NewRecord(time.Hour, "cart", "3 items", "drop", 1)
	created := rec.Created
	oldKey, newKey := NewKey(t), NewKey(t)
	mustCreate(t, s, oldKey, rec)
	login := time.Now().Add(time.Second).UnixNano()
	d := &sessions.Delta{
		Set:        []sessions.Field{{Key: "n", Value: 2}},
		Del:        []string{"drop"},
		Meta:       &sessions.Meta{Created: 1, Renewed: login, AuthTime: login, User: "ann", Expires: rec.Expires},
		MetaFields: sessions.MetaRenewed | sessions.MetaAuthTime | sessions.MetaUser,
	}
	err := rc.RenameCommit(ctx(t), oldKey, newKey, 0, d)
	if errors.Is(err, errors.ErrUnsupported) {
		t.Skipf("RenameCommit is not supported in this configuration: %v", err)
	}
	if err != nil {
		t.Fatalf("RenameCommit: %v", err)
	}
	mustMiss(t, s, oldKey)
	got := mustLoad(t, s, newKey)
	if v := values(got); v["cart"] != "3 items" || v["n"] != 2 || v["drop"] != nil || len(v) != 2 {
		t.Errorf("values after RenameCommit = %v, want cart=3 items and n=2", v)
	}
	if got.User != "ann" || got.AuthTime != login || got.Renewed != login || got.Created != created {
		t.Errorf("metadata after RenameCommit = %+v, want user ann, auth time and renewal %d, creation %d kept", got.Meta, login, created)
	}
	if ix, ok := s.(sessions.UserIndex); ok {
		list, err := ix.UserSessions(ctx(t), "ann")
		if err != nil {
			t.Fatalf("UserSessions: %v", err)
		}
		if keys := infoKeys(list); !slices.Equal(keys, []string{newKey}) {
			t.Errorf("UserSessions(ann) = %v, want only the renamed key %s", keys, newKey)
		}
	}

	// With a grace, the old key reaches the renamed record, delta and all.
	graceKey := NewKey(t)
	d = &sessions.Delta{Set: []sessions.Field{{Key: "x", Value: "y"}}}
	if err := rc.RenameCommit(ctx(t), newKey, graceKey, time.Minute, d); err != nil {
		t.Fatalf("RenameCommit with a grace: %v", err)
	}
	for _, k := range []string{newKey, graceKey} {
		if v := values(mustLoad(t, s, k)); v["x"] != "y" || v["cart"] != "3 items" {
			t.Errorf("Load(%s…) after RenameCommit with a grace = %v, want x=y and cart", k[:8], v)
		}
	}

	// Failures apply the delta nowhere.
	absent, target := NewKey(t), NewKey(t)
	d = &sessions.Delta{Set: []sessions.Field{{Key: "lost", Value: true}}}
	if err := rc.RenameCommit(ctx(t), absent, target, 0, d); !errors.Is(err, sessions.ErrNotFound) {
		t.Errorf("RenameCommit of an absent key: %v, want ErrNotFound", err)
	}
	mustMiss(t, s, target)
	taken := NewKey(t)
	mustCreate(t, s, taken, NewRecord(time.Hour, "owner", "other"))
	if err := rc.RenameCommit(ctx(t), graceKey, taken, 0, d); !errors.Is(err, sessions.ErrExists) {
		t.Errorf("RenameCommit onto a taken key: %v, want ErrExists", err)
	}
	if v := values(mustLoad(t, s, taken)); v["owner"] != "other" || v["lost"] != nil {
		t.Errorf("RenameCommit onto a taken key changed it: %v", v)
	}
	if v := values(mustLoad(t, s, graceKey)); v["lost"] != nil {
		t.Errorf("a failed RenameCommit applied its delta to the old key: %v", v)
	}
}

func infoKeys(list []sessions.Info) []string {
	keys := make([]string, len(list))
	for i, in := range list {
		keys[i] = in.Key
	}
	return keys
}
