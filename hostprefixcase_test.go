package sessions_test

import (
	"testing"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
)

// TestHostPrefixAnyCase checks that Options.HostPrefix adds no second
// prefix to a CookieName that already has it in another case: browsers
// match the __Host- prefix without regard to case, as the manager's checks
// of the prefix's rules do.
func TestHostPrefixAnyCase(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"__Host-sid", "__Host-sid"},
		{"__host-sid", "__host-sid"},
		{"__HOST-sid", "__HOST-sid"},
		{"sid", "__Host-sid"},
	} {
		store := memory.New(memory.Options{})
		t.Cleanup(func() { store.Close() })
		m, err := sessions.NewManager(store, sessions.Options{CookieName: tc.name, HostPrefix: true})
		if err != nil {
			t.Fatalf("CookieName %q: %v", tc.name, err)
		}
		if got := m.CookieName(); got != tc.want {
			t.Errorf("CookieName %q with HostPrefix: the cookie is named %q, want %q", tc.name, got, tc.want)
		}
	}
}
