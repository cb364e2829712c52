package main

import (
	"net/http"
	"testing"
)

// TestLogout: POST /api/logout answers 204 with no body and ends the
// session: the next request gets a new, anonymous session without the
// old values.
func TestLogout(t *testing.T) {
	forEachStore(t, func(t *testing.T, spec string) {
		c := newClient(t, demoServer(t, spec))
		c.session()
		c.login(uniqueUser())
		c.session()
		if code, body := c.do("PUT", "/api/session/values/k", `1`); code != http.StatusNoContent {
			t.Fatalf("PUT = %d %s", code, body)
		}
		before := c.session()
		if code, body := c.do("POST", "/api/logout", ""); code != http.StatusNoContent || body != "" {
			t.Fatalf("POST /api/logout = %d %q, want 204 and no body", code, body)
		}
		after := c.session()
		if after.ID == before.ID || after.User != "" || len(after.Values) != 0 || !after.New {
			t.Errorf("after logout: id changed %v, user %q, values %v, new %v; want a new anonymous session", after.ID != before.ID, after.User, after.Values, after.New)
		}
	})
}
