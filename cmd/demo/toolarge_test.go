package main

import (
	"encoding/json"
	"fmt"
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

// TestSessionSizeCapped: by default (-max-size) one client cannot grow its
// session without bound by adding keys, in any store: once the values
// would pass the cap (or, in the cookie store, the cookie's size), PUT
// answers 413 and the session keeps what it had.
func TestSessionSizeCapped(t *testing.T) {
	forEachStore(t, func(t *testing.T, spec string) {
		want := 4 // 256 KiB holds four values of 60 KiB, not five
		if spec == "cookie" {
			want = 0 // the cookie's 4 KB come first
		}
		c := newClient(t, demoServer(t, spec))
		c.session()
		value := `"` + strings.Repeat("x", 60<<10) + `"`
		stored := 0
		for i := range 10 {
			code, body := c.do("PUT", fmt.Sprintf("/api/session/values/k%d", i), value)
			if code == http.StatusRequestEntityTooLarge {
				break
			}
			if code != http.StatusNoContent {
				t.Fatalf("PUT k%d = %d %s", i, code, body)
			}
			stored++
		}
		if stored != want {
			t.Fatalf("%d values of 60 KiB stored before a 413, want %d", stored, want)
		}
		if v := c.session(); len(v.Values) != want {
			t.Errorf("after the refused PUT the session holds %d values, want %d", len(v.Values), want)
		}
	})
}
