package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestNoUserIndex: with the cookie store, which keeps no user index, the
// endpoints that list or revoke a user's sessions (and DELETE
// /api/sessions/{id} of another session) answer 501 with a reason,
// not a 500 that reads as a server fault, and "log out everywhere" leaves
// the current session as it was rather than half done.
func TestNoUserIndex(t *testing.T) {
	c := newClient(t, demoServer(t, "cookie"))
	c.session()
	if code, body := c.do("POST", "/api/login", `{"user":"alice"}`); code != http.StatusNoContent {
		t.Fatalf("login: %d %s", code, body)
	}
	c.session()
	for _, req := range []struct{ method, path string }{
		{"GET", "/api/sessions"},
		{"DELETE", "/api/sessions"},
		// Another session's handle: no request can end another
		// client's cookie, which is no "no such session" (404).
		{"DELETE", "/api/sessions/" + strings.Repeat("ab", 32)},
	} {
		code, body := c.do(req.method, req.path, "")
		var e struct {
			Error string `json:"error"`
		}
		if code != http.StatusNotImplemented || json.Unmarshal([]byte(body), &e) != nil || e.Error == "" {
			t.Errorf("%s %s = %d %s, want 501 with an error", req.method, req.path, code, body)
		}
	}
	if v := c.session(); v.User != "alice" {
		t.Errorf("after the refused DELETE /api/sessions the user is %q, want alice still logged in", v.User)
	}
}
