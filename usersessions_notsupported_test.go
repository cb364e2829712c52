package sessions_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/sessionkit/sessions"
)

// plainStore is a store with the core methods only: no user index.
type plainStore struct{ sessions.Store }

// TestUserIndexErrorSaysWhatToDo: on a store without a user index,
// UserSessions and DestroyUserSessions report ErrNotSupported, as
// DestroySession does on the cookie store, with a message that names the
// call and what it needs, rather than the bare "operation not supported by
// this store", which leaves an operator to guess which operation and why.
func TestUserIndexErrorSaysWhatToDo(t *testing.T) {
	m, err := sessions.NewManager(plainStore{newMemoryStore(t)}, sessions.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		call func() error
	}{
		{"UserSessions", func() error { _, err := m.UserSessions(t.Context(), "alice"); return err }},
		{"DestroyUserSessions", func() error { _, err := m.DestroyUserSessions(t.Context(), "alice", ""); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if !errors.Is(err, sessions.ErrNotSupported) || !strings.Contains(err.Error(), tc.name) || !strings.Contains(err.Error(), "UserIndex") {
				t.Errorf("%s on a store without a user index: %v; want an ErrNotSupported naming %s and the UserIndex it needs", tc.name, err, tc.name)
			}
		})
	}
}
