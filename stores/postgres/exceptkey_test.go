package postgres

import (
	"fmt"
	"testing"
	"time"

	"github.com/sessionkit/sessions/storetest"
)

// DeleteUserSessions with an exceptKey that is not a store key (one taken
// from a request, say, holding a NUL byte or invalid UTF-8, which
// PostgreSQL text cannot hold) keeps no session, since none can be stored
// under such a key, and deletes all of the user's sessions, as every other
// store does; it never fails with a server error.
func TestDeleteUserSessionsUnstorableExceptKey(t *testing.T) {
	s := newTestStore(t, Options{CleanupInterval: -1})
	for _, except := range []string{"a\x00b", "\xff", "key\xff", "\xed\xa0\x80", "not-a-key"} {
		t.Run(fmt.Sprintf("%.12q", except), func(t *testing.T) {
			ctx := t.Context()
			user := "user-" + storetest.NewKey(t)[:8]
			for range 2 {
				r := storetest.NewRecord(time.Hour, "a", 1)
				r.User = user
				mustCreateRec(t, s, storetest.NewKey(t), r)
			}
			n, err := s.DeleteUserSessions(ctx, user, except)
			if err != nil || n != 2 {
				t.Fatalf("DeleteUserSessions(%q, %q) = %d, %v; want 2, nil", user, except, n, err)
			}
			if left := must(s.UserSessions(ctx, user)); len(left) != 0 {
				t.Errorf("%d sessions left, want 0", len(left))
			}
		})
	}
}
