package securitytest

import (
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// testRevokeRacingRenewal revokes one session (Manager.DestroySession)
// while the session's own client renews its ID in a parallel request, an
// explicit Renew or a Login that leave no grace alias, between the
// revocation's ownership check and its delete. The revocation either ends
// the session or reports false: it never reports true while the session
// lives on under the ID the renewal issued.
func testRevokeRacingRenewal(t *testing.T, h *harness) {
	for _, tc := range []struct {
		name, path string
		opts       sessions.Options
	}{
		{"Renew", "/renew", sessions.Options{}},
		{"Login", "/login?user=alice", sessions.Options{}},
		{"Renew with rotation on", "/renew", sessions.Options{RotateAfter: time.Hour, RotateGrace: time.Minute}},
		{"Login with rotation on", "/login?user=alice", sessions.Options{RotateAfter: time.Hour, RotateGrace: time.Minute}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := h.env(t, tc.opts)
			id := e.login(t, "", "alice")
			tok, _ := e.token(t, id)
			var renewed string
			e.spy.afterLoad(sessions.KeyOf(id), func() {
				method := "GET"
				if tc.path != "/renew" {
					method = "POST"
				}
				renewed = e.issued(e.do(t, method, tc.path, id, withHeader("X-CSRF-Token", tok)))
			})
			ok, err := e.m.DestroySession(t.Context(), "alice", sessions.KeyOf(id))
			if err != nil {
				t.Fatalf("DestroySession: %v", err)
			}
			if renewed == "" || renewed == id {
				t.Fatalf("the parallel %s issued %q, want a new ID", tc.name, renewed)
			}
			if ok && e.live(t, renewed) {
				t.Errorf("DestroySession reported true, but the session lives on under the ID the parallel %s issued", tc.name)
			}
		})
	}
}
