package main

import (
	"net/http"
	"strings"
	"testing"
)

// TestUnstorableNameIs400: a value name or user name the store cannot keep
// (PostgreSQL text holds no NUL byte and only UTF-8; bbolt's records take
// UTF-8 value names; an index entry holds 2 KB) comes from the request, so
// the demo answers 400 (413 where it is too large for the store), never
// the 500 that blames the server. A store that keeps the name answers 204,
// and the session still renders.
func TestUnstorableNameIs400(t *testing.T) {
	forEachStore(t, func(t *testing.T, spec string) {
		c := newClient(t, demoServer(t, spec))
		c.session()
		for _, tc := range []struct{ method, path, body string }{
			{"PUT", "/api/session/values/a%00b", `1`},
			{"PUT", "/api/session/values/%ff", `1`},
			{"PUT", "/api/session/values/" + strings.Repeat("k", 3000), `1`},
			{"POST", "/api/login", `{"user":"a\u0000b"}`},
		} {
			code, body := c.do(tc.method, tc.path, tc.body)
			if code != http.StatusBadRequest && code != http.StatusNoContent && code != http.StatusRequestEntityTooLarge {
				t.Errorf("%s %.40s = %d %s, want 400 (204 where the store keeps it, 413 where it is too large)", tc.method, tc.path, code, body)
			}
			c.session()
		}
	})
}
