package bolt

import (
	"testing"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/securitytest"
)

// TestSecurity runs the manager's black-box security checklist on bbolt.
func TestSecurity(t *testing.T) {
	securitytest.Run(t, func(t *testing.T) sessions.Store { return openTest(t, Options{}) })
}
