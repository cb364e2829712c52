package postgres

import (
	"testing"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/securitytest"
)

// TestSecurity runs the manager's black-box security checklist on
// PostgreSQL.
func TestSecurity(t *testing.T) {
	securitytest.Run(t, func(t *testing.T) sessions.Store { return newTestStore(t, Options{}) })
}
