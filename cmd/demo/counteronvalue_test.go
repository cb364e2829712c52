package main

import (
	"net/http"
	"testing"
)

// TestCounterOnStoredValue: POST /api/session/counters/{key} counts on from
// an integer stored by PUT /api/session/values/{key} (a JSON integer is kept
// as an integer, not a float), and a value that is no integer (a string, a
// fraction, an integer written with an exponent) is a 409 "value is not an
// integer" that leaves it as it was.
func TestCounterOnStoredValue(t *testing.T) {
	forEachStore(t, func(t *testing.T, spec string) {
		c := newClient(t, demoServer(t, spec))
		c.session()
		for _, tc := range []struct {
			put  string
			code int
			body string
		}{
			{`41`, http.StatusOK, "{\"value\":42}\n"},
			{`-3`, http.StatusOK, "{\"value\":-2}\n"},
			{`"41"`, http.StatusConflict, "{\"error\":\"value is not an integer\"}\n"},
			{`1.5`, http.StatusConflict, "{\"error\":\"value is not an integer\"}\n"},
			{`1e2`, http.StatusConflict, "{\"error\":\"value is not an integer\"}\n"},
		} {
			if code, body := c.do("PUT", "/api/session/values/n", tc.put); code != http.StatusNoContent {
				t.Fatalf("PUT n %s = %d %s", tc.put, code, body)
			}
			if code, body := c.do("POST", "/api/session/counters/n", ""); code != tc.code || body != tc.body {
				t.Errorf("POST counter on %s = %d %q, want %d %q", tc.put, code, body, tc.code, tc.body)
			}
		}
		if v := c.session(); v.Values["n"] != float64(100) {
			t.Errorf("after the refused increment n = %v, want 100 as stored", v.Values["n"])
		}
	})
}
