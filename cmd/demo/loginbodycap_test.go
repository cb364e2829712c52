package main

import (
	"net/http"
	"strings"
	"testing"
)

// TestLoginBodyOverCapIs400: POST /api/login reads at most 64 KiB of body
// (maxBody) and a longer login is a 400 that logs no one in, whatever the
// part past the cap holds: trailing data there is refused as it is before
// the cap, not cut off unread so that the object before it logs in.
func TestLoginBodyOverCapIs400(t *testing.T) {
	obj := `{"user":"alice"}`
	pad := strings.Repeat(" ", maxBody-len(obj))
	for _, tc := range []struct {
		name, body string
		code       int
	}{
		{"at the cap", obj + pad, http.StatusNoContent},
		{"garbage past the cap", obj + pad + "garbage", http.StatusBadRequest},
		{"a second object past the cap", obj + pad + `{"user":"bob"}`, http.StatusBadRequest},
		{"whitespace past the cap", obj + pad + " ", http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newClient(t, demoServer(t, "memory"))
			c.session()
			if code, resp := c.do("POST", "/api/login", tc.body); code != tc.code {
				t.Errorf("POST /api/login of %d bytes = %d %s, want %d", len(tc.body), code, resp, tc.code)
			}
			if v := c.session(); tc.code != http.StatusNoContent && v.User != "" {
				t.Errorf("after the refused login of %d bytes the user is %q, want none", len(tc.body), v.User)
			}
		})
	}
}
