package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestTooLargeIs413: a value that makes the session too large for its store
// is the client's doing, and the demo answers it 413 whichever way it
// surfaces: from the commit of PUT /api/session/values/{key} (through the
// manager's error handler) as from a handler that saw the error itself.
// A 500 would tell the client the server is at fault and invite retries.
func TestTooLargeIs413(t *testing.T) {
	c := newClient(t, demoServer(t, "cookie"))
	c.session()
	big := `"` + strings.Repeat("x", 8000) + `"` // over the 4 KB a cookie holds
	code, body := c.do("PUT", "/api/session/values/big", big)
	var e struct {
		Error string `json:"error"`
	}
	if code != http.StatusRequestEntityTooLarge || json.Unmarshal([]byte(body), &e) != nil || e.Error != "session data too large" {
		t.Fatalf("PUT of a too-large value = %d %s, want 413 {\"error\": \"session data too large\"}", code, body)
	}
}
