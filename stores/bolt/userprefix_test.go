package bolt

import (
	"testing"
	"time"

	"github.com/sessionkit/sessions/storetest"
)

// TestDeleteUserSessionsLeavesLongerNames checks that revoking the sessions
// of user "a" leaves those of "a\x00b" alone, index entries included: the
// user index keys of "a\x00b" start with "a\x00" too, and only their length
// tells them apart.
func TestDeleteUserSessionsLeavesLongerNames(t *testing.T) {
	s := openTest(t, Options{CleanupInterval: -1})
	ctx := t.Context()
	keys := map[string]string{}
	for _, user := range []string{"a", "a\x00b"} {
		key := storetest.NewKey(t)
		rec := storetest.NewRecord(time.Hour)
		rec.User = user
		if err := s.Create(ctx, key, rec); err != nil {
			t.Fatal(err)
		}
		keys[user] = key
	}
	if n, err := s.DeleteUserSessions(ctx, "a", ""); err != nil || n != 1 {
		t.Fatalf("DeleteUserSessions(a) = %d, %v; want 1, nil", n, err)
	}
	list, err := s.UserSessions(ctx, "a\x00b")
	if err != nil || len(list) != 1 || list[0].Key != keys["a\x00b"] {
		t.Fatalf("UserSessions(a\\x00b) after revoking a's = %+v, %v; want its one session", list, err)
	}
}
