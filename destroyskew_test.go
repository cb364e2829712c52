package sessions_test

import (
	"context"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
)

// TestDestroySessionWithStoreClockBehind: a store judges expiry by its own
// clock, which can read a little behind the manager's (a clock anchored at
// another moment, a step of the wall clock between, a database server's
// clock). DestroySession ends the session by committing it expired before
// deleting it; a deadline of exactly the manager's now left the record
// live for the store, and renamable by a parallel rotation, for that
// difference, so "true" did not yet mean gone.
func TestDestroySessionWithStoreClockBehind(t *testing.T) {
	const behind = 200 * time.Millisecond
	mem := memory.New(memory.Options{Now: func() time.Time { return time.Now().Add(-behind) }})
	defer mem.Close()
	m, err := sessions.NewManager(noDelete{mem}, sessions.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	alice := loginAlice(t, m)
	if ok, err := m.DestroySession(t.Context(), "alice", alice); err != nil || !ok {
		t.Fatalf("DestroySession = %v, %v; want true, nil", ok, err)
	}
	if _, found, err := mem.Load(t.Context(), alice); err != nil || found {
		t.Errorf("right after DestroySession, with the store's clock %v behind the manager's, the store still serves the session (found %v, err %v)", behind, found, err)
	}
}

// noDelete is a store whose Delete does nothing, so that what the
// expiring commit alone leaves can be seen.
type noDelete struct{ *memory.Store }

func (noDelete) Delete(context.Context, string) error { return nil }
