package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// userSessionsOf creates n sessions of user and returns their keys.
func userSessionsOf(t *testing.T, s sessions.Store, user string, n int) []string {
	t.Helper()
	keys := make([]string, n)
	for i := range keys {
		keys[i] = NewKey(t)
		rec := NewRecord(time.Hour)
		rec.User = user
		mustCreate(t, s, keys[i], rec)
	}
	return keys
}

// raceDeleteUser runs DeleteUserSessions(user, except) while another
// goroutine calls change for each of keys, from the last to the first, so
// that the changes meet the deletion in the middle whatever order the store
// deletes in. It returns what DeleteUserSessions returned.
func raceDeleteUser(t *testing.T, ux sessions.UserIndex, user, except string, keys []string, change func(i int)) (int, error) {
	var (
		wg        sync.WaitGroup
		start     = make(chan struct{})
		deleted   int
		deleteErr error
	)
	wg.Add(2)
	go func() {
		defer wg.Done()
		<-start
		deleted, deleteErr = ux.DeleteUserSessions(ctx(t), user, except)
	}()
	go func() {
		defer wg.Done()
		<-start
		for i := len(keys) - 1; i >= 0; i-- {
			change(i)
		}
	}()
	close(start)
	wg.Wait()
	return deleted, deleteErr
}
