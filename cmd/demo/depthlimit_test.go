package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestValueDepthLimit: PUT /api/session/values/{key} takes a value nested
// exactly sessions.MaxDepth deep, in arrays or objects, and every store
// keeps it; one level more is a 400 whatever the store.
func TestValueDepthLimit(t *testing.T) {
	arrays := func(n int) string { return strings.Repeat("[", n) + "1" + strings.Repeat("]", n) }
	objects := func(n int) string { return strings.Repeat(`{"a":`, n) + "1" + strings.Repeat("}", n) }
	forEachStore(t, func(t *testing.T, spec string) {
		c := newClient(t, demoServer(t, spec))
		c.session()
		for _, tc := range []struct {
			name, body string
			code       int
		}{
			{"arrays at the limit", arrays(sessions.MaxDepth), http.StatusNoContent},
			{"objects at the limit", objects(sessions.MaxDepth), http.StatusNoContent},
			{"arrays one over", arrays(sessions.MaxDepth + 1), http.StatusBadRequest},
			{"objects one over", objects(sessions.MaxDepth + 1), http.StatusBadRequest},
		} {
			if code, body := c.do("PUT", "/api/session/values/v", tc.body); code != tc.code {
				t.Errorf("PUT of %s = %d %s, want %d", tc.name, code, body, tc.code)
			}
			c.session() // the session still renders
		}
	})
}
