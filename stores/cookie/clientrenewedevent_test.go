package cookie_test

import (
	"testing"

	"github.com/sessionkit/sessions"
)

// TestRenewedEventWithCookieStore: Renew and Login seal the session under a
// new ID, and each reports EventRenewed naming the new ID's handle, as a
// server-side store does.
func TestRenewedEventWithCookieStore(t *testing.T) {
	for _, path := range []string{"/renew", "/login?u=alice"} {
		t.Run(path, func(t *testing.T) {
			r := newRig(t, newStore(t), sessions.Options{})
			c := r.do("GET", "/set?v=x", "").value(t)
			r.clearEvents()
			c2 := r.do("GET", path, c).value(t)
			e := r.saw(sessions.EventRenewed)
			if e == nil {
				t.Fatalf("%s: events %v, want EventRenewed", path, r.kinds())
			}
			// ID reports the store key, whose first 16 characters are the handle.
			key := r.do("GET", "/id", c2).body
			if want := key[:16]; e.Handle != want {
				t.Errorf("%s: EventRenewed handle %q, want the new key's %q", path, e.Handle, want)
			}
		})
	}
}
