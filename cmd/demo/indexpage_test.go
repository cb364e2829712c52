package main

import (
	"io"
	"net/http"
	"testing"
)

// TestIndexPage: GET / answers the demo's plain-text overview of its
// endpoints, word for word, and a path the demo does not serve is a 404
// rather than the overview again.
func TestIndexPage(t *testing.T) {
	srv := demoServer(t, "memory")
	const want = `sessions demo

Seed example:   GET /set  /get  /delete  /clear  /destroy
JSON API:       GET /api/session
                PUT|DELETE /api/session/values/{key}   DELETE /api/session/values
                POST /api/session/counters/{key}
                POST /api/login {"user": "alice"}      POST /api/logout
                GET /api/sessions   DELETE /api/sessions/{id}   DELETE /api/sessions
Unsafe methods need the X-CSRF-Token header with the "csrf" value of GET /api/session.
`
	for _, tc := range []struct {
		path string
		code int
		body string
	}{
		{"/", http.StatusOK, want},
		{"/nope", http.StatusNotFound, ""},
		{"/set/x", http.StatusNotFound, ""},
	} {
		resp, err := srv.Client().Get(srv.URL + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.code {
			t.Errorf("GET %s = %d %q, want %d", tc.path, resp.StatusCode, b, tc.code)
			continue
		}
		if tc.code != http.StatusOK {
			continue
		}
		if ct := resp.Header.Get("Content-Type"); string(b) != tc.body || ct != "text/plain; charset=utf-8" {
			t.Errorf("GET %s = %q (Content-Type %q), want %q (text/plain; charset=utf-8)", tc.path, b, ct, tc.body)
		}
	}
}
