package storetest

import (
	"testing"
	"time"
)

// testDeleteUserSessionsAll checks DeleteUserSessions without a session of
// the user to spare: with exceptKey empty, or naming another user's
// session, it deletes every session of the user (all devices logged out),
// reports how many, and leaves other users' sessions alone, the one under
// exceptKey included.
func testDeleteUserSessionsAll(t *testing.T, h Harness) {
	s, ux := newUserIndex(t, h)
	other := newUser(t)
	otherKey := userSessionsOf(t, s, other, 1)[0]
	for _, c := range []struct {
		name   string
		except string
	}{
		{"no exception", ""},
		{"another user's session excepted", otherKey},
	} {
		u := newUser(t)
		keys := make([]string, 3)
		for i := range keys {
			keys[i] = NewKey(t)
			rec := NewRecord(time.Hour)
			rec.User = u
			rec.Created += int64(i) * int64(time.Millisecond)
			mustCreate(t, s, keys[i], rec)
		}
		n, err := ux.DeleteUserSessions(ctx(t), u, c.except)
		if err != nil || n != len(keys) {
			t.Errorf("%s: DeleteUserSessions = %d, %v; want %d, nil", c.name, n, err, len(keys))
		}
		for _, key := range keys {
			if _, found, err := s.Load(ctx(t), key); err != nil || found {
				t.Errorf("%s: session %s… of the user after DeleteUserSessions: found %v, err %v; want it deleted", c.name, key[:8], found, err)
			}
		}
		if list, err := ux.UserSessions(ctx(t), u); err != nil || len(list) != 0 {
			t.Errorf("%s: UserSessions after DeleteUserSessions = %v, %v; want none", c.name, list, err)
		}
		mustLoad(t, s, otherKey)
	}
}
