package sessions_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestHostPrefixAttrsNameCookieName: a __Host- cookie may have no Domain
// and only Path "/", and the default cookie name has the prefix. An
// application that sets Options.Domain (to share the session across
// subdomains) or Options.Path (to mount it under /app) without naming its
// cookie is refused; the error must name both settings it can change, the
// Domain or Path it wrote and the cookie's name, which a caller who left
// CookieName empty (or set HostPrefix) never wrote with the prefix.
func TestHostPrefixAttrsNameCookieName(t *testing.T) {
	for _, tc := range []struct {
		name  string
		opts  sessions.Options
		field string
	}{
		{"Domain, default name", sessions.Options{Domain: "example.com"}, "Options.Domain"},
		{"Domain, HostPrefix", sessions.Options{CookieName: "sid", HostPrefix: true, Domain: "example.com"}, "Options.Domain"},
		{"Path, default name", sessions.Options{Path: "/app"}, "Options.Path"},
		{"Path, __Host- name", sessions.Options{CookieName: "__Host-sid", Path: "/app"}, "Options.Path"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := sessions.NewManager(newMemoryStore(t), tc.opts)
			if !errors.Is(err, sessions.ErrConfig) {
				t.Fatalf("NewManager = %v, want an ErrConfig", err)
			}
			msg := err.Error()
			for _, want := range []string{tc.field, "Options.CookieName"} {
				if !strings.Contains(msg, want) {
					t.Errorf("NewManager error %q does not name %s, a setting to change", msg, want)
				}
			}
		})
	}
}
