package main

import (
	"net/http"
	"strings"
	"testing"
)

// TestErrorTexts pins the exact status, Content-Type and body of the JSON
// errors the API answers itself: scripts match on these texts, so a
// reworded message breaks them as surely as a changed status does.
func TestErrorTexts(t *testing.T) {
	c := newClient(t, demoServer(t, "memory"))
	c.session()
	type row struct {
		method, path, body string
		code               int
		msg                string
	}
	check := func(tc row) {
		t.Helper()
		code, h, b := c.doHeader(tc.method, tc.path, tc.body, nil)
		want := `{"error":"` + tc.msg + `"}` + "\n"
		if ct := h.Get("Content-Type"); code != tc.code || b != want || ct != "application/json" {
			t.Errorf("%s %s = %d %q (Content-Type %q), want %d %q (application/json)", tc.method, tc.path, code, b, ct, tc.code, want)
		}
	}
	for _, tc := range []row{
		{"GET", "/api/nope", "", http.StatusNotFound, "no such endpoint"},
		{"GET", "/api/login", "", http.StatusMethodNotAllowed, "method not allowed; use POST"},
		{"POST", "/api/sessions", "", http.StatusMethodNotAllowed, "method not allowed; use GET, HEAD, DELETE"},
		{"GET", "/api/sessions", "", http.StatusUnauthorized, "not logged in: POST /api/login first"},
		{"DELETE", "/api/sessions", "", http.StatusUnauthorized, "not logged in: POST /api/login first"},
		{"POST", "/api/login", `{"user": ""}`, http.StatusBadRequest, `body must be {\"user\": \"name\"} with a non-empty name of at most 256 bytes`},
		{"PUT", "/api/session/values/x", `1 2`, http.StatusBadRequest, "body must be one JSON value: trailing data after the JSON value"},
		{"PUT", "/api/session/values/x", `1e400`, http.StatusBadRequest, "body must be one JSON value: number 1e400 is out of range"},
		{"PUT", "/api/session/values/x", strings.Repeat("[", 40) + strings.Repeat("]", 40), http.StatusBadRequest, "body must be one JSON value: nested deeper than 32"},
	} {
		check(tc)
	}
	token := c.csrf
	c.csrf = ""
	check(row{"PUT", "/api/session/values/x", "1", http.StatusForbidden, "CSRF check failed: send the token from GET /api/session in the X-CSRF-Token header, from the same origin"})
	c.csrf = token

	if code, body := c.do("POST", "/api/login", `{"user":"alice"}`); code != http.StatusNoContent {
		t.Fatalf("login = %d %s", code, body)
	}
	c.session()
	check(row{"DELETE", "/api/sessions/" + strings.Repeat("ab", 32), "", http.StatusNotFound, "no such session for this user"})
}
