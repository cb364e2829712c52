package storetest

import (
	"context"
	"testing"
)

// testUserIndexContextCanceled checks that UserSessions and
// DeleteUserSessions honour their context's cancellation, as the methods
// of sessions.Store do (ContextCanceled): called with a context already
// canceled, each returns an error, and DeleteUserSessions deletes nothing.
func testUserIndexContextCanceled(t *testing.T, h Harness) {
	s, ux := newUserIndex(t, h)
	u := newUser(t)
	keys := userSessionsOf(t, s, u, 2)
	c, cancel := context.WithCancel(ctx(t))
	cancel()
	if list, err := ux.UserSessions(c, u); err == nil {
		t.Errorf("UserSessions with a canceled context: %d sessions, nil error", len(list))
	}
	if n, err := ux.DeleteUserSessions(c, u, ""); err == nil {
		t.Errorf("DeleteUserSessions with a canceled context: %d deleted, nil error", n)
	}
	for _, key := range keys {
		if _, found, err := s.Load(ctx(t), key); err != nil || !found {
			t.Errorf("session %s… after a canceled DeleteUserSessions: found %v, err %v; want it kept", key[:8], found, err)
		}
	}
	if list, err := ux.UserSessions(ctx(t), u); err != nil || len(list) != len(keys) {
		t.Errorf("UserSessions after the canceled calls: %d sessions, %v; want %d", len(list), err, len(keys))
	}
}
