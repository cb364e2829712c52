package main

import (
	"net/http"
	"testing"
)

// TestDeleteValues: DELETE /api/session/values/{key} removes that value
// only, DELETE /api/session/values removes them all; both answer 204 with
// no body, and deleting a key the session lacks is a 204 as well.
func TestDeleteValues(t *testing.T) {
	forEachStore(t, func(t *testing.T, spec string) {
		c := newClient(t, demoServer(t, spec))
		c.session()
		for _, k := range []string{"a", "b", "c"} {
			if code, body := c.do("PUT", "/api/session/values/"+k, `"`+k+`"`); code != http.StatusNoContent {
				t.Fatalf("PUT %s = %d %s", k, code, body)
			}
		}
		for _, step := range []struct {
			method, path string
			left         []string
		}{
			{"DELETE", "/api/session/values/b", []string{"a", "c"}},
			{"DELETE", "/api/session/values/nope", []string{"a", "c"}},
			{"DELETE", "/api/session/values", nil},
		} {
			if code, body := c.do(step.method, step.path, ""); code != http.StatusNoContent || body != "" {
				t.Errorf("%s %s = %d %q, want 204 and no body", step.method, step.path, code, body)
			}
			v := c.session()
			if len(v.Values) != len(step.left) {
				t.Errorf("after %s %s the session holds %v, want %q", step.method, step.path, v.Values, step.left)
			}
			for _, k := range step.left {
				if v.Values[k] != k {
					t.Errorf("after %s %s value %s = %v, want %q", step.method, step.path, k, v.Values[k], k)
				}
			}
		}
	})
}
