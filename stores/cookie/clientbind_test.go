package cookie_test

import (
	"net/http"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestBindWithCookieStore: a cookie carries the binding of the client it
// was issued to, and a mismatch is reported and, under BindDestroy, ends
// the session.
func TestBindWithCookieStore(t *testing.T) {
	for _, c := range []struct {
		policy sessions.BindPolicy
		kept   bool
	}{{sessions.BindLog, true}, {sessions.BindDestroy, false}} {
		r := newRig(t, newStore(t), sessions.Options{
			Bind:       func(r *http.Request) string { return r.UserAgent() },
			BindPolicy: c.policy,
		})
		v := r.do("GET", "/set?v=alice", "", "User-Agent", "agent-A").value(t)
		if got := r.do("GET", "/get", v, "User-Agent", "agent-A").body; got != "alice" {
			t.Fatalf("policy %d: same client gave %q, want alice", c.policy, got)
		}
		if r.saw(sessions.EventBindMismatch) != nil {
			t.Fatalf("policy %d: EventBindMismatch for the same client", c.policy)
		}
		got := r.do("GET", "/get", v, "User-Agent", "agent-B").body
		if r.saw(sessions.EventBindMismatch) == nil {
			t.Errorf("policy %d: another client: events %v, want EventBindMismatch", c.policy, r.kinds())
		}
		if kept := got == "alice"; kept != c.kept {
			t.Errorf("policy %d: another client got %q; session kept %v, want %v", c.policy, got, kept, c.kept)
		}
	}
}
