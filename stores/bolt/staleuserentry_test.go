package bolt

import (
	"testing"
	"time"

	"github.com/sessionkit/sessions/storetest"
)

// TestDeleteUserSessionsSkipsStaleEntries checks that DeleteUserSessions
// deletes only records that are the user's now. A corrupt record deleted
// by Delete leaves its user index entries behind (they cannot be found
// without decoding it); when the key then holds another user's session,
// revoking the first user's sessions must leave that one alone.
func TestDeleteUserSessionsSkipsStaleEntries(t *testing.T) {
	s := openTest(t, Options{CleanupInterval: -1})
	ctx := t.Context()
	key := storetest.NewKey(t)
	alice := storetest.NewRecord(time.Hour)
	alice.User = "alice"
	if err := s.Create(ctx, key, alice); err != nil {
		t.Fatal(err)
	}
	putRaw(t, s, key, []byte{99, 1, 2, 3}) // corrupt: alice's entry stays
	if err := s.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	bob := storetest.NewRecord(time.Hour, "k", 1)
	bob.User = "bob"
	if err := s.Create(ctx, key, bob); err != nil {
		t.Fatal(err)
	}
	n, err := s.DeleteUserSessions(ctx, "alice", "")
	if err != nil || n != 0 {
		t.Fatalf("DeleteUserSessions(alice) = %d, %v; want 0, nil", n, err)
	}
	rec, found, err := s.Load(ctx, key)
	if err != nil || !found || rec.User != "bob" {
		t.Fatalf("bob's session after revoking alice's: found %v, %+v, %v; want it kept", found, rec, err)
	}
}
