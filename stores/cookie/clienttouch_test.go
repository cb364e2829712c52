package cookie_test

import (
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// TestTouchIntervalBoundaryWithCookieStore: a read-only request re-issues
// the cookie (to record the activity) once the recorded last activity is
// TouchInterval old, and not before.
func TestTouchIntervalBoundaryWithCookieStore(t *testing.T) {
	r := newRig(t, newStore(t), sessions.Options{IdleTimeout: 30 * time.Minute, TouchInterval: time.Minute})
	c := r.do("GET", "/set?v=alice", "").value(t)
	r.clock.Advance(time.Minute - time.Nanosecond)
	if res := r.do("GET", "/get", c); res.cookie != nil {
		t.Errorf("a read before TouchInterval re-issued the cookie")
	}
	r.clock.Advance(time.Nanosecond)
	if res := r.do("GET", "/get", c); res.cookie == nil || res.body != "alice" {
		t.Errorf("a read exactly TouchInterval after the last activity did not re-issue the cookie")
	}
}
