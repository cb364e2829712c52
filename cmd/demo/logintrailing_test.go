package main

import (
	"net/http"
	"testing"
)

// TestLoginTrailingDataIs400: POST /api/login takes one JSON object and
// refuses what follows it ("{...}garbage", a second object, a stray
// bracket) with the 400 and error body it gives malformed JSON, logging
// no one in; whitespace after the object is fine.
func TestLoginTrailingDataIs400(t *testing.T) {
	c := newClient(t, demoServer(t, "memory"))
	c.session()
	wantCode, want := c.do("POST", "/api/login", `{"user":`)
	if wantCode != http.StatusBadRequest {
		t.Fatalf("POST /api/login of malformed JSON = %d %s, want 400", wantCode, want)
	}
	for _, body := range []string{`{"user":"alice"}garbage`, `{"user":"alice"} {"user":"bob"}`, `{"user":"alice"}}`, `{"user":"alice"}]`, `{"user":"alice"} 1`} {
		c.session() // the CSRF token of the session as it now is
		if code, resp := c.do("POST", "/api/login", body); code != wantCode || resp != want {
			t.Errorf("POST /api/login %q = %d %q, want %d %q as for malformed JSON", body, code, resp, wantCode, want)
		}
	}
	if v := c.session(); v.User != "" {
		t.Errorf("after the refused logins the session's user is %q, want none", v.User)
	}
	if code, resp := c.do("POST", "/api/login", "{\"user\":\"alice\"} \n"); code != http.StatusNoContent {
		t.Errorf("POST /api/login with trailing whitespace = %d %s, want 204", code, resp)
	}
}
