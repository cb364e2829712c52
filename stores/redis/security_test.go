package redis

import (
	"testing"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/securitytest"
)

// TestSecurity runs the manager's black-box security checklist on Redis,
// with the single-node protocol and with the cluster-safe one.
func TestSecurity(t *testing.T) {
	t.Run("single", func(t *testing.T) {
		securitytest.Run(t, func(t *testing.T) sessions.Store { return newTestStore(t, sharedClient(t), Options{}) })
	})
	t.Run("cluster-protocol", func(t *testing.T) {
		securitytest.Run(t, func(t *testing.T) sessions.Store {
			return newTestStore(t, sharedClient(t), Options{Cluster: true})
		})
	})
}
