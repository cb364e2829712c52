package main

import (
	"net/http"
	"strings"
	"testing"
)

// TestUnstorableNameIs400: a value name or user name that is not UTF-8 or
// holds a NUL byte is a 400 on every store, as the README says: the demo
// refuses it before the store sees it, since some stores keep it and the
// session's JSON would then show it as another name (invalid UTF-8 turns
// into U+FFFD), which the client could not delete. A name the store cannot
// keep for its size (an index entry holds 2 KB) comes from the request
// too, so it is a 400 or 413, never the 500 that blames the server, or 204
// where the store keeps it; the session still renders.
func TestUnstorableNameIs400(t *testing.T) {
	forEachStore(t, func(t *testing.T, spec string) {
		c := newClient(t, demoServer(t, spec))
		c.session()
		for _, tc := range []struct {
			method, path, body string
			always400          bool
		}{
			{"PUT", "/api/session/values/a%00b", `1`, true},
			{"PUT", "/api/session/values/%ff", `1`, true},
			{"POST", "/api/session/counters/a%00b", ``, true},
			{"POST", "/api/session/counters/%ff", ``, true},
			{"POST", "/api/login", `{"user":"a\u0000b"}`, true},
			{"PUT", "/api/session/values/" + strings.Repeat("k", 3000), `1`, false},
		} {
			code, body := c.do(tc.method, tc.path, tc.body)
			switch {
			case tc.always400 && code != http.StatusBadRequest:
				t.Errorf("%s %.40s = %d %s, want 400", tc.method, tc.path, code, body)
			case !tc.always400 && code != http.StatusBadRequest && code != http.StatusNoContent && code != http.StatusRequestEntityTooLarge:
				t.Errorf("%s %.40s = %d %s, want 400 (204 where the store keeps it, 413 where it is too large)", tc.method, tc.path, code, body)
			}
			c.session()
		}
	})
}
