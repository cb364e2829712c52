package main

import (
	"net/http"
	"testing"
)

// TestLoginAnswerMatchesSession: the answer to POST /api/login says what
// happened: a 204 has logged the client in under the name given, and a
// user name the store cannot keep (a NUL byte: PostgreSQL text holds
// none) is a 400 that leaves the client logged out, not a 204 for a login
// that never happened.
func TestLoginAnswerMatchesSession(t *testing.T) {
	forEachStore(t, func(t *testing.T, spec string) {
		srv := demoServer(t, spec)
		alice := uniqueUser()
		for _, tc := range []struct{ name, inJSON string }{
			{alice, alice},
			{"a\x00b", `a\u0000b`},
		} {
			name := tc.name
			c := newClient(t, srv)
			c.session()
			body := `{"user":"` + tc.inJSON + `"}`
			code, resp := c.do("POST", "/api/login", body)
			v := c.session()
			switch code {
			case http.StatusNoContent:
				if v.User != name {
					t.Errorf("login as %q = 204, then the user is %q", name, v.User)
				}
			case http.StatusBadRequest:
				if v.User != "" {
					t.Errorf("login as %q = 400 %s, then the user is %q; want logged out", name, resp, v.User)
				}
			default:
				t.Errorf("login as %q = %d %s, want 204 or 400", name, code, resp)
			}
		}
	})
}
