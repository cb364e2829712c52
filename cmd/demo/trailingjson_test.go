package main

import (
	"net/http"
	"testing"
)

// TestTrailingDataAfterValueIs400: PUT /api/session/values/{key} takes one
// JSON value and refuses what follows it, whatever that is: a stray closing
// bracket or brace ("1]", "1}") is trailing data like "1 2", not a value
// stored as 1.
func TestTrailingDataAfterValueIs400(t *testing.T) {
	c := newClient(t, demoServer(t, "memory"))
	c.session()
	for _, body := range []string{`1 2`, `1]`, `1}`, `{"a":1}}`, `[1]]`, `"s" ]`} {
		code, resp := c.do("PUT", "/api/session/values/v", body)
		if code != http.StatusBadRequest {
			t.Errorf("PUT %q = %d %s, want 400", body, code, resp)
		}
	}
	if v := c.session(); len(v.Values) != 0 {
		t.Errorf("after the refused PUTs the session holds %v, want nothing", v.Values)
	}
	for _, body := range []string{`1`, " [1] \n", `{"a":1}`} {
		if code, resp := c.do("PUT", "/api/session/values/v", body); code != http.StatusNoContent {
			t.Errorf("PUT %q = %d %s, want 204", body, code, resp)
		}
	}
}
