package storetest

import (
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// testAnonymousNotIndexed checks that the user index holds no anonymous
// sessions: Meta.User "" means a session belongs to no user, so
// UserSessions("") lists nothing and DeleteUserSessions("", "") deletes
// nothing, neither a session created anonymous nor one a commit logged
// out. A store that indexed them under "" would let one call log every
// visitor out.
func testAnonymousNotIndexed(t *testing.T, h Harness) {
	s, ux := newUserIndex(t, h)
	created := NewKey(t)
	mustCreate(t, s, created, NewRecord(time.Hour, "cart", 1))
	loggedOut := NewKey(t)
	rec := NewRecord(time.Hour)
	rec.User = newUser(t)
	mustCreate(t, s, loggedOut, rec)
	meta := sessions.Meta{}
	if err := s.Commit(ctx(t), loggedOut, &sessions.Delta{Meta: &meta, MetaFields: sessions.MetaUser}); err != nil {
		t.Fatalf("Commit (logout): %v", err)
	}
	if list, err := ux.UserSessions(ctx(t), ""); err != nil || len(list) != 0 {
		t.Errorf("UserSessions(\"\") = %d sessions, %v; want none, nil", len(list), err)
	}
	if n, err := ux.DeleteUserSessions(ctx(t), "", ""); err != nil || n != 0 {
		t.Errorf("DeleteUserSessions(\"\", \"\") = %d, %v; want 0, nil", n, err)
	}
	mustLoad(t, s, created)
	if got := mustLoad(t, s, loggedOut).User; got != "" {
		t.Errorf("User after a commit that logged out = %q, want \"\"", got)
	}
}
