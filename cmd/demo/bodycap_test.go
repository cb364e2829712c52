package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestBodyOverCapIs413: PUT /api/session/values/{key} reads at most 64 KiB
// of body. A longer one is answered 413 with an error that names the cap,
// not a 400 saying the JSON ended early, and nothing is stored; a body of
// exactly the cap is still read.
func TestBodyOverCapIs413(t *testing.T) {
	c := newClient(t, demoServer(t, "memory"))
	c.session()
	for _, tc := range []struct {
		name   string
		body   string
		code   int
		errMsg string
	}{
		{"at the cap", `"` + strings.Repeat("x", maxBody-2) + `"`, http.StatusNoContent, ""},
		{"one byte over", `"` + strings.Repeat("x", maxBody-1) + `"`, http.StatusRequestEntityTooLarge, "body over 65536 bytes; store a smaller value"},
		{"far over", `"` + strings.Repeat("x", 300<<10) + `"`, http.StatusRequestEntityTooLarge, "body over 65536 bytes; store a smaller value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c.do("DELETE", "/api/session/values", "")
			code, body := c.do("PUT", "/api/session/values/v", tc.body)
			if code != tc.code {
				t.Fatalf("PUT of %d bytes = %d %s, want %d", len(tc.body), code, body, tc.code)
			}
			if tc.errMsg != "" {
				var e struct {
					Error string `json:"error"`
				}
				if json.Unmarshal([]byte(body), &e) != nil || e.Error != tc.errMsg {
					t.Errorf("PUT of %d bytes answered %s, want {\"error\": %q}", len(tc.body), body, tc.errMsg)
				}
				if v := c.session(); len(v.Values) != 0 {
					t.Errorf("after the refused PUT the session holds %d values, want none", len(v.Values))
				}
			}
		})
	}
}
