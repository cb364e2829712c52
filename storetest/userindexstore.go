package storetest

import (
	"testing"

	"github.com/sessionkit/sessions"
)

// newUserIndex returns a fresh store from h and its user index, skipping t
// when the store keeps none.
func newUserIndex(t *testing.T, h Harness) (sessions.Store, sessions.UserIndex) {
	t.Helper()
	s := h.New(t)
	ux, ok := s.(sessions.UserIndex)
	if !ok {
		t.Skip("store does not implement sessions.UserIndex")
	}
	return s, ux
}

// newUser returns a user name no other check uses, so that checks sharing
// a store never see each other's sessions in a listing.
func newUser(t *testing.T) string { return "user-" + NewKey(t)[:12] }
