package main

import (
	"net/http"
	"strings"
	"testing"
)

// TestLoginNameLength: POST /api/login takes a user name of 1 to 256
// bytes; a name of 257 bytes is a 400 that logs no one in, and a
// 256-byte name is logged in as given.
func TestLoginNameLength(t *testing.T) {
	for _, tc := range []struct {
		n    int
		code int
	}{
		{1, http.StatusNoContent},
		{256, http.StatusNoContent},
		{257, http.StatusBadRequest},
		{1000, http.StatusBadRequest},
	} {
		c := newClient(t, demoServer(t, "memory"))
		c.session()
		name := strings.Repeat("u", tc.n)
		if code, body := c.do("POST", "/api/login", `{"user":"`+name+`"}`); code != tc.code {
			t.Errorf("login with a %d-byte name = %d %s, want %d", tc.n, code, body, tc.code)
			continue
		}
		want := name
		if tc.code != http.StatusNoContent {
			want = ""
		}
		if v := c.session(); v.User != want {
			t.Errorf("after login with a %d-byte name the user is %.20q…, want %.20q…", tc.n, v.User, want)
		}
	}
}
