package main

import (
	"net/http"
	"strings"
	"testing"
)

// TestUnstorableValueIs400: PUT /api/session/values/{key} with a JSON value
// no store can keep (a number beyond float64, which decodes to ±Inf, or
// nesting deeper than sessions.MaxDepth) is the client's mistake: 400, and
// the session keeps what it had, so GET /api/session still renders it. It
// must not be a 500 from the commit, nor a stored value that leaves GET
// /api/session answering 200 with an empty body.
func TestUnstorableValueIs400(t *testing.T) {
	forEachStore(t, func(t *testing.T, spec string) {
		c := newClient(t, demoServer(t, spec))
		c.session()
		if code, body := c.do("PUT", "/api/session/values/ok", `1`); code != http.StatusNoContent {
			t.Fatalf("PUT ok = %d %s", code, body)
		}
		for _, body := range []string{
			`1e400`,
			`[-1e999]`,
			strings.Repeat("[", 40) + strings.Repeat("]", 40),
			strings.Repeat(`{"a":`, 40) + "1" + strings.Repeat("}", 40),
		} {
			code, resp := c.do("PUT", "/api/session/values/bad", body)
			if code != http.StatusBadRequest {
				t.Errorf("PUT %.20s… = %d %s, want 400", body, code, resp)
			}
			v := c.session() // fails the test on a body it cannot parse
			if _, ok := v.Values["bad"]; ok || len(v.Values) != 1 {
				t.Errorf("after PUT %.20s… the session holds %v, want only ok", body, v.Values)
			}
		}
	})
}
