package cookie_test

import (
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// TestDestroyExpiresDeadCookie: Destroy (logout) on a request whose cookie
// no longer opens to a live session still tells the browser to drop that
// cookie, as it does for a server-side store.
func TestDestroyExpiresDeadCookie(t *testing.T) {
	for _, c := range []struct {
		name  string
		value func(r *rig, v string) string
	}{
		{"expired", func(r *rig, v string) string { r.clock.Advance(11 * time.Minute); return v }},
		{"tampered", func(_ *rig, v string) string { return v[:len(v)-2] + "AA" }},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t, newStore(t), sessions.Options{IdleTimeout: 10 * time.Minute})
			v := c.value(r, r.do("GET", "/set?v=alice", "").value(t))
			res := r.do("GET", "/destroy", v)
			if res.cookie == nil {
				t.Fatalf("/destroy with the %s cookie set no cookie, want it expired", c.name)
			}
			if res.cookie.MaxAge >= 0 || res.cookie.Value != "" {
				t.Fatalf("/destroy with the %s cookie: Set-Cookie %v, want the cookie expired", c.name, res.cookie)
			}
		})
	}
}
