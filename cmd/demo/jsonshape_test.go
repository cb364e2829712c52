package main

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestJSONShapes pins the field names and value types of the API's JSON
// answers, read as raw objects rather than through the demo's own structs
// (which would follow a renamed tag): GET /api/session, POST
// /api/session/counters/{key} and GET /api/sessions. GET /api/session says
// "new" on the request that created the session only, and "created" is the
// session's creation in RFC 3339 UTC; a listed session carries the
// User-Agent it logged in with.
func TestJSONShapes(t *testing.T) {
	srv := demoServer(t, "memory")
	c := newClient(t, srv)
	const agent = "shape-test/1.0"
	get := func(method, path, body string) (int, http.Header, string) {
		t.Helper()
		return c.doHeader(method, path, body, http.Header{"User-Agent": {agent}})
	}
	object := func(what, body string, keys ...string) map[string]any {
		t.Helper()
		var o map[string]any
		if err := json.Unmarshal([]byte(body), &o); err != nil {
			t.Fatalf("%s: %q is no JSON object: %v", what, body, err)
		}
		if got := slices.Sorted(maps.Keys(o)); !slices.Equal(got, slices.Sorted(slices.Values(keys))) {
			t.Errorf("%s fields %q, want %q", what, got, slices.Sorted(slices.Values(keys)))
		}
		return o
	}
	sessionKeys := []string{"id", "new", "user", "values", "created", "csrf"}

	code, h, body := get("GET", "/api/session", "")
	if code != http.StatusOK || h.Get("Content-Type") != "application/json" {
		t.Fatalf("GET /api/session = %d (Content-Type %q) %s, want 200 application/json", code, h.Get("Content-Type"), body)
	}
	first := object("GET /api/session", body, sessionKeys...)
	if first["new"] != true {
		t.Errorf("first GET /api/session: new = %v, want true", first["new"])
	}
	created, _ := first["created"].(string)
	if ct, err := time.Parse(time.RFC3339, created); err != nil || !strings.HasSuffix(created, "Z") || time.Since(ct).Abs() > time.Minute {
		t.Errorf("created = %q, want the session's creation in RFC 3339 UTC", created)
	}
	for _, k := range []string{"id", "csrf"} {
		if s, _ := first[k].(string); s == "" {
			t.Errorf("%s = %v, want a non-empty string", k, first[k])
		}
	}
	if _, ok := first["values"].(map[string]any); !ok || first["user"] != "" {
		t.Errorf("values = %v, user = %v; want an object and \"\"", first["values"], first["user"])
	}
	c.csrf, _ = first["csrf"].(string)

	code, _, body = get("GET", "/api/session", "")
	if second := object("second GET /api/session", body, sessionKeys...); code != http.StatusOK || second["new"] != false || second["id"] != first["id"] {
		t.Errorf("second GET /api/session = %d new %v id %v, want 200, new false and the same id", code, second["new"], second["id"])
	}

	for _, want := range []string{"{\"value\":1}\n", "{\"value\":2}\n"} {
		code, h, body = get("POST", "/api/session/counters/hits", "")
		if code != http.StatusOK || body != want || h.Get("Content-Type") != "application/json" {
			t.Errorf("POST /api/session/counters/hits = %d %q (Content-Type %q), want 200 %q", code, body, h.Get("Content-Type"), want)
		}
	}

	if code, _, body = get("POST", "/api/login", `{"user":"alice"}`); code != http.StatusNoContent {
		t.Fatalf("login = %d %s", code, body)
	}
	if code, _, body = get("GET", "/api/session", ""); code != http.StatusOK {
		t.Fatalf("GET /api/session after login = %d %s", code, body)
	}
	c.csrf, _ = object("GET /api/session", body, sessionKeys...)["csrf"].(string)
	code, h, body = get("GET", "/api/sessions", "")
	var list []json.RawMessage
	if code != http.StatusOK || h.Get("Content-Type") != "application/json" || json.Unmarshal([]byte(body), &list) != nil || len(list) != 1 {
		t.Fatalf("GET /api/sessions = %d (Content-Type %q) %s, want 200 application/json, a list of one", code, h.Get("Content-Type"), body)
	}
	in := object("GET /api/sessions entry", string(list[0]), "id", "created", "last_seen", "user_agent", "current")
	if in["user_agent"] != agent || in["current"] != true {
		t.Errorf("listed session: user_agent %v, current %v; want %q and true", in["user_agent"], in["current"], agent)
	}
	for _, k := range []string{"created", "last_seen"} {
		s, _ := in[k].(string)
		if ts, err := time.Parse(time.RFC3339, s); err != nil || !strings.HasSuffix(s, "Z") || time.Since(ts).Abs() > time.Minute {
			t.Errorf("listed session: %s = %q, want a recent time in RFC 3339 UTC", k, s)
		}
	}
}
