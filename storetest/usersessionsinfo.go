package storetest

import (
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// testUserSessionsInfo checks what UserSessions lists for each session:
// its store key and its metadata (sessions.Info), every field of it as Load
// returns it, as created and after a commit changed it. A listing that
// leaves out the user agent, the authentication time or the expiry shows
// the user a devices page without them.
func testUserSessionsInfo(t *testing.T, h Harness) {
	s, ux := newUserIndex(t, h)
	u := newUser(t)
	keys := []string{NewKey(t), NewKey(t)}
	for i, key := range keys {
		rec := NewRecord(time.Hour, "i", i)
		rec.Created += int64(i) * int64(time.Millisecond)
		rec.AuthTime = rec.Created - 7
		rec.User = u
		rec.UserAgent = "agent/" + key[:4]
		rec.CSRF = "csrf-" + key[:6]
		rec.Bind = "bind-" + key[:8]
		mustCreate(t, s, key, rec)
	}
	meta := mustLoad(t, s, keys[1]).Meta
	meta.LastSeen += int64(time.Second)
	meta.Renewed += int64(time.Second)
	meta.Expires += int64(time.Minute)
	meta.UserAgent, meta.CSRF = "agent/changed", "csrf-changed"
	if err := s.Commit(ctx(t), keys[1], &sessions.Delta{Meta: &meta}); err != nil {
		t.Fatalf("Commit: %v", err)
	}

	list, err := ux.UserSessions(ctx(t), u)
	if err != nil {
		t.Fatalf("UserSessions: %v", err)
	}
	if len(list) != len(keys) {
		t.Fatalf("UserSessions listed %d sessions, want %d: %+v", len(list), len(keys), list)
	}
	for i, in := range list {
		if in.Key != keys[i] {
			t.Errorf("listing %d: key %s…, want %s…", i, in.Key[:8], keys[i][:8])
			continue
		}
		if want := mustLoad(t, s, keys[i]).Meta; in.Meta != want {
			t.Errorf("listing of %s…: meta\n got %+v\nwant %+v (as Load returns it)", in.Key[:8], in.Meta, want)
		}
	}
}
