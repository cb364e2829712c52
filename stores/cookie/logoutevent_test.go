package cookie_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestLogoutEventNamesUserWithCookieStore checks that the EventDestroyed a
// logout emits with the cookie store names the user who logged out, as it
// does with every server-side store: an audit log fed by OnEvent must be
// able to tell whose session ended, whichever store keeps the sessions.
func TestLogoutEventNamesUserWithCookieStore(t *testing.T) {
	for _, tc := range []struct {
		name   string
		logout func(r *rig, value string)
	}{
		{"Destroy inside Handler", func(r *rig, value string) {
			if res := r.do("GET", "/destroy", value); res.cookie == nil || res.cookie.MaxAge >= 0 {
				t.Fatalf("/destroy did not expire the cookie: %+v", res.cookie)
			}
		}},
		{"Manager.Destroy without Handler", func(r *rig, value string) {
			req := httptest.NewRequest(http.MethodGet, "https://app.example/", nil)
			req.AddCookie(&http.Cookie{Name: cookieName, Value: value})
			r.m.Destroy(httptest.NewRecorder(), req)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, newStore(t), sessions.Options{})
			c := r.do("GET", "/login?u=alice", "").value(t)
			handle := r.do("GET", "/id", c).body
			r.clearEvents()
			tc.logout(r, c)
			e := r.saw(sessions.EventDestroyed)
			if e == nil {
				t.Fatalf("events %v: no EventDestroyed", r.kinds())
			}
			if e.User != "alice" {
				t.Errorf("EventDestroyed names user %q, want %q", e.User, "alice")
			}
			if want := handle[:16]; e.Handle != want {
				t.Errorf("EventDestroyed handle %q, want %q", e.Handle, want)
			}
		})
	}
}
