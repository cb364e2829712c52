package main

import (
	"encoding/json"
	"net/http"
	"testing"
)

// TestWrongMethodIs405: a method an API path does not take is answered
// 405 with the methods it does take in Allow, as net/http answers the seed
// paths, not 404 "no such endpoint", which tells a script the path is
// wrong when only the method is. A path the API does not have is still a
// 404. Both keep the JSON error shape.
func TestWrongMethodIs405(t *testing.T) {
	c := newClient(t, demoServer(t, "memory"))
	c.session() // the CSRF token, so unsafe methods reach the router
	for _, tc := range []struct {
		method, path string
		code         int
		allow        string
	}{
		{"POST", "/api/session", http.StatusMethodNotAllowed, "GET, HEAD"},
		{"DELETE", "/api/session", http.StatusMethodNotAllowed, "GET, HEAD"},
		{"GET", "/api/session/values/x", http.StatusMethodNotAllowed, "PUT, DELETE"},
		{"PATCH", "/api/session/values/x", http.StatusMethodNotAllowed, "PUT, DELETE"},
		{"GET", "/api/session/values", http.StatusMethodNotAllowed, "DELETE"},
		{"GET", "/api/session/counters/hits", http.StatusMethodNotAllowed, "POST"},
		{"GET", "/api/login", http.StatusMethodNotAllowed, "POST"},
		{"DELETE", "/api/logout", http.StatusMethodNotAllowed, "POST"},
		{"POST", "/api/sessions", http.StatusMethodNotAllowed, "GET, HEAD, DELETE"},
		{"GET", "/api/sessions/abc", http.StatusMethodNotAllowed, "DELETE"},
		{"GET", "/api/nope", http.StatusNotFound, ""},
		{"POST", "/api/session/values/x/y", http.StatusNotFound, ""},
	} {
		req, err := http.NewRequest(tc.method, c.base+tc.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-CSRF-Token", c.csrf)
		resp, err := c.hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var e struct {
			Error string `json:"error"`
		}
		jsonErr := json.NewDecoder(resp.Body).Decode(&e)
		resp.Body.Close()
		if resp.StatusCode != tc.code || resp.Header.Get("Allow") != tc.allow || jsonErr != nil || e.Error == "" {
			t.Errorf("%s %s = %d, Allow %q, error %q (%v); want %d, Allow %q and a JSON error", tc.method, tc.path, resp.StatusCode, resp.Header.Get("Allow"), e.Error, jsonErr, tc.code, tc.allow)
		}
	}
}

// TestCSRFBeforeRouting: the CSRF check comes before the router, as the
// README says: an unsafe request without the token is a 403 whatever its
// path and method, not the 405 or 404 it gets with the token.
func TestCSRFBeforeRouting(t *testing.T) {
	c := newClient(t, demoServer(t, "memory"))
	c.session()
	for _, tc := range []struct{ method, path string }{
		{"POST", "/api/session"},
		{"POST", "/api/nope"},
		{"DELETE", "/api/session/values/x/y"},
	} {
		req, err := http.NewRequest(tc.method, c.base+tc.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := c.hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s %s without the token = %d, want 403", tc.method, tc.path, resp.StatusCode)
		}
	}
}
