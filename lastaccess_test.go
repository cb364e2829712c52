package sessions_test

import (
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// TestLastAccessRecordsActivity checks that LastAccess is the time of the
// session's last recorded activity, not its creation: a read after the
// touch interval moves it to the read's time, while Created stays.
func TestLastAccessRecordsActivity(t *testing.T) {
	m, _, now := newClockedManager(t, sessions.Options{TouchInterval: time.Minute, IdleTimeout: time.Hour, Lifetime: time.Hour})
	id := seedSession(t, m)
	created := time.Unix(0, now.Load())
	now.Add(int64(5 * time.Minute))
	read := time.Unix(0, now.Load())
	do(t, m, id, func(s *sessions.Session) {
		s.Get("name")
		if got := s.LastAccess(); !got.Equal(read) {
			t.Errorf("LastAccess = %v, want %v (the read, 5m after creation)", got, read)
		}
		if got := s.Created(); !got.Equal(created) {
			t.Errorf("Created = %v, want %v", got, created)
		}
	})
}
