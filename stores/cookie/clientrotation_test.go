package cookie_test

import (
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// TestRotateAfterWithCookieStore: RotateAfter seals the session under a new
// ID once the ID is RotateAfter old, counted from its creation or last
// renewal, and not before.
func TestRotateAfterWithCookieStore(t *testing.T) {
	r := newRig(t, newStore(t), sessions.Options{IdleTimeout: time.Hour, Lifetime: 10 * time.Hour, RotateAfter: 10 * time.Minute})
	c := r.do("GET", "/set?v=alice", "").value(t)
	id := r.do("GET", "/id", c).body
	r.clock.Advance(10*time.Minute - time.Second)
	r.clearEvents()
	res := r.do("GET", "/get", c)
	if r.saw(sessions.EventRenewed) != nil {
		t.Fatalf("ID rotated %v after creation, before RotateAfter", 10*time.Minute-time.Second)
	}
	if res.cookie != nil {
		c = res.cookie.Value
	}
	r.clock.Advance(time.Second) // exactly RotateAfter
	r.clearEvents()
	res = r.do("GET", "/get", c)
	if res.body != "alice" || res.cookie == nil {
		t.Fatalf("request at RotateAfter: %q, cookie %v; want alice and a new cookie", res.body, res.cookie)
	}
	if r.saw(sessions.EventRenewed) == nil {
		t.Errorf("request at RotateAfter: events %v, want EventRenewed", r.kinds())
	}
	c = res.cookie.Value
	if got := r.do("GET", "/id", c).body; got == id {
		t.Fatalf("ID not rotated at RotateAfter")
	}
	// The new ID is RotateAfter old only RotateAfter after the rotation.
	r.clock.Advance(5 * time.Minute)
	r.clearEvents()
	if got := r.do("GET", "/get", c).body; got != "alice" {
		t.Fatalf("rotated session gave %q, want alice", got)
	}
	if r.saw(sessions.EventRenewed) != nil {
		t.Errorf("ID rotated again 5 minutes after the rotation")
	}
}
