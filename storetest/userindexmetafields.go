package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// testUserIndexMetaFields checks that the user index follows the user a
// commit stores, not the one its Delta.Meta carries: a commit whose
// MetaFields leave the user out (a request recording activity with a stale
// or empty copy of the metadata) keeps the session listed under its user
// and lists it under no other, so that DeleteUserSessions still reaches it.
func testUserIndexMetaFields(t *testing.T, h Harness) {
	s, ux := newUserIndex(t, h)
	u := newUser(t)
	v := newUser(t)
	listed := func(t *testing.T, user string) []string {
		t.Helper()
		list, err := ux.UserSessions(ctx(t), user)
		if err != nil {
			t.Fatalf("UserSessions: %v", err)
		}
		return infoKeys(list)
	}

	key := NewKey(t)
	rec := NewRecord(time.Hour)
	rec.User = u
	mustCreate(t, s, key, rec)
	anon := NewKey(t)
	mustCreate(t, s, anon, NewRecord(time.Hour))

	now := time.Now()
	for i, c := range []struct {
		key, user string
	}{
		{key, ""}, // an empty copy of the user
		{key, v},  // a stale copy naming another user
		{anon, v}, // an anonymous session's commit naming a user
	} {
		m := mustLoad(t, s, c.key).Meta
		m.User = c.user
		m.LastSeen = now.Add(time.Duration(i+1) * time.Second).UnixNano()
		d := &sessions.Delta{Meta: &m, MetaFields: sessions.MetaLastSeen}
		if err := s.Commit(ctx(t), c.key, d); err != nil {
			t.Fatalf("Commit: %v", err)
		}
	}
	if got := mustLoad(t, s, key).User; got != u {
		t.Fatalf("after commits leaving the user out, User = %q, want %q", got, u)
	}
	if got := listed(t, u); !slices.Equal(got, []string{key}) {
		t.Errorf("after commits leaving the user out, UserSessions(u) = %v, want only %s", got, key)
	}
	if got := listed(t, v); len(got) != 0 {
		t.Errorf("UserSessions of a user only named by commits that left the user out = %v, want none", got)
	}
	if n, err := ux.DeleteUserSessions(ctx(t), v, ""); err != nil || n != 0 {
		t.Errorf("DeleteUserSessions(v) = %d, %v; want 0, nil", n, err)
	}
	mustLoad(t, s, key)
	mustLoad(t, s, anon)
	if n, err := ux.DeleteUserSessions(ctx(t), u, ""); err != nil || n != 1 {
		t.Errorf("DeleteUserSessions(u) = %d, %v; want 1, nil", n, err)
	}
	mustMiss(t, s, key)
	mustLoad(t, s, anon)
}
