package main

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/sessionkit/sessions/cmd/internal/storeurl"
)

// TestListedSessionTimes: GET /api/sessions gives each session's "created"
// (its login, the "created" of GET /api/session) and its "last_seen" (its
// last recorded activity), which moves on with later requests while
// "created" stays.
func TestListedSessionTimes(t *testing.T) {
	store, closeStore, err := storeurl.Open(context.Background(), "memory", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closeStore)
	// A 10-second idle timeout records activity every second.
	srv := serveDemo(t, store, "-idle", "10s")

	cl := newClient(t, srv)
	cl.session()
	cl.login("alice")
	created := cl.session().Created
	time.Sleep(2100 * time.Millisecond) // past the touch interval, into another second
	cl.session()
	code, body := cl.do("GET", "/api/sessions", "")
	var list []sessionInfo
	if code != http.StatusOK || json.Unmarshal([]byte(body), &list) != nil || len(list) != 1 {
		t.Fatalf("GET /api/sessions = %d %s, want one session", code, body)
	}
	in := list[0]
	if in.Created != created {
		t.Errorf("listed created = %q, want the session's created %q", in.Created, created)
	}
	if in.LastSeen <= created {
		t.Errorf("listed last_seen = %q after activity 2s past created %q; want later", in.LastSeen, created)
	}
}
