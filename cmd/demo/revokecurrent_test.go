package main

import (
	"net/http"
	"testing"
)

// TestRevokeCurrentSession: DELETE /api/sessions/{id} with the current
// session's own ID logs this client out (204), as a logout would, in every
// store, the cookie store (which cannot revoke other sessions) included.
func TestRevokeCurrentSession(t *testing.T) {
	forEachStore(t, func(t *testing.T, spec string) {
		c := newClient(t, demoServer(t, spec))
		c.session()
		c.login(uniqueUser())
		own := c.session()
		if code, body := c.do("DELETE", "/api/sessions/"+own.ID, ""); code != http.StatusNoContent || body != "" {
			t.Fatalf("DELETE /api/sessions/{own id} = %d %q, want 204 and no body", code, body)
		}
		if v := c.session(); v.User != "" || v.ID == own.ID {
			t.Errorf("after revoking its own session the client is %q with the same ID %v; want logged out", v.User, v.ID == own.ID)
		}
	})
}
