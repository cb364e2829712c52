package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/sessionkit/sessions/storetest"
)

// userRows returns how many rows of any format and expiry the table holds
// for user.
func userRows(t *testing.T, s *Store, user string) int {
	t.Helper()
	var n int
	if err := s.pool.QueryRow(context.Background(), `SELECT count(*) FROM `+quote(s.table)+` WHERE user_id = $1`, user).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestUserRowsOfAnotherFormat checks what the store does with a user's
// rows of a format version this package does not read (written by a newer
// release sharing the database): UserSessions does not list them, as Load
// refuses them, but DeleteUserSessions deletes them with the others ("log
// out everywhere" must not leave the user logged in on the newer release)
// and counts each live one it deleted, so that its count is what it did.
func TestUserRowsOfAnotherFormat(t *testing.T) {
	for _, c := range []struct {
		name      string
		except    string // "", "v1" or "v2": the session spared
		wantCount int    // what DeleteUserSessions reports
		wantLeft  int    // the user's rows left, of any format
	}{
		{"all", "", 4, 0},
		{"except a current row", "v1", 3, 1},
		{"except a row of another format", "v2", 3, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := newTestStore(t, Options{CleanupInterval: -1})
			ctx := t.Context()
			keys := map[string]string{"v1": storetest.NewKey(t), "v2": storetest.NewKey(t)}
			create := func(key string, ttl time.Duration, version int) {
				rec := storetest.NewRecord(ttl, "role", "admin")
				rec.User = "ann"
				mustCreateRec(t, s, key, rec)
				exec(t, s, `UPDATE {s} SET version = $2 WHERE key = $1`, key, version)
			}
			create(keys["v1"], time.Hour, 1)
			create(storetest.NewKey(t), time.Hour, 1)
			create(keys["v2"], time.Hour, 2)
			create(storetest.NewKey(t), time.Hour, 3)
			create(storetest.NewKey(t), -time.Minute, 2) // expired: deleted, not counted

			list, err := s.UserSessions(ctx, "ann")
			if err != nil {
				t.Fatal(err)
			}
			if len(list) != 2 {
				t.Fatalf("UserSessions listed %d sessions, want the 2 of format version 1", len(list))
			}
			n, err := s.DeleteUserSessions(ctx, "ann", keys[c.except])
			if err != nil {
				t.Fatal(err)
			}
			if n != c.wantCount {
				t.Errorf("DeleteUserSessions reported %d deleted, want %d (every live row it deleted, of any format)", n, c.wantCount)
			}
			if left := userRows(t, s, "ann"); left != c.wantLeft {
				t.Errorf("%d rows of the user remain, want %d (only the excepted one)", left, c.wantLeft)
			}
		})
	}
}
