package sessions_test

import (
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// TestSubSecondTouchInterval: time.Duration counts nanoseconds, so
// TouchInterval: 30 (meant as seconds) is 30 ns, and every read-only
// request then writes the session's activity. NewManager refuses a
// TouchInterval under a second, as it refuses the other durations, unless
// the idle timeout is so short that its default (IdleTimeout/10) is under
// a second too: down to that default it stays accepted.
func TestSubSecondTouchInterval(t *testing.T) {
	for _, tc := range []struct {
		name   string
		opts   sessions.Options
		refuse bool
	}{
		{"30ns", sessions.Options{TouchInterval: 30}, true},
		{"999ms", sessions.Options{TouchInterval: time.Second - time.Millisecond}, true},
		{"1s", sessions.Options{TouchInterval: time.Second}, false},
		{"30ns, idle timeout 2s", sessions.Options{IdleTimeout: 2 * time.Second, TouchInterval: 30}, true},
		{"the default 200ms, idle timeout 2s", sessions.Options{IdleTimeout: 2 * time.Second, TouchInterval: 200 * time.Millisecond}, false},
		{"500ms, idle timeout 2s", sessions.Options{IdleTimeout: 2 * time.Second, TouchInterval: 500 * time.Millisecond}, false},
		{"zero: the default", sessions.Options{IdleTimeout: 2 * time.Second}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := sessions.NewManager(newMemoryStore(t), tc.opts)
			if refused(t, err, "TouchInterval") {
				if !tc.refuse {
					t.Errorf("NewManager refused TouchInterval %v with IdleTimeout %v: %v", tc.opts.TouchInterval, tc.opts.IdleTimeout, err)
				}
				return
			}
			if !tc.refuse {
				return
			}
			m, store := newTestManager(t, tc.opts)
			id := seedSession(t, m)
			before := store.commits.Load()
			for range 5 {
				time.Sleep(time.Microsecond)
				do(t, m, id, func(s *sessions.Session) { s.Get("name") })
			}
			t.Errorf("NewManager accepted TouchInterval %v (IdleTimeout %v); 5 read-only requests made %d store writes",
				tc.opts.TouchInterval, tc.opts.IdleTimeout, store.commits.Load()-before)
		})
	}
}
