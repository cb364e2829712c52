package sessions_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
)

// TestInsecureOptOutNamesCookieName follows the README's opt-out from
// Secure cookies (Secure: SecureNever, AllowInsecure: true) with a cookie
// name that has a __Host- or __Secure- prefix, which requires Secure: the
// default name, one given with its prefix, or one HostPrefix prefixes. The
// configuration is refused, and the error must say what to change: the
// cookie's name, which a caller who left CookieName empty never wrote.
func TestInsecureOptOutNamesCookieName(t *testing.T) {
	cases := []struct {
		name string
		opts sessions.Options
	}{
		{"default name", sessions.Options{Secure: sessions.SecureNever, AllowInsecure: true}},
		{"default name, SecureIfTLS", sessions.Options{Secure: sessions.SecureIfTLS, AllowInsecure: true}},
		{"__Secure- name", sessions.Options{CookieName: "__Secure-sid", Secure: sessions.SecureNever, AllowInsecure: true}},
		{"HostPrefix", sessions.Options{CookieName: "sid", HostPrefix: true, Secure: sessions.SecureNever, AllowInsecure: true}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			store := memory.New(memory.Options{})
			defer store.Close()
			_, err := sessions.NewManager(store, tc.opts)
			if !errors.Is(err, sessions.ErrConfig) {
				t.Fatalf("NewManager = %v, want an ErrConfig", err)
			}
			if msg := err.Error(); !strings.Contains(msg, "Options.CookieName") {
				t.Errorf("NewManager error %q does not name Options.CookieName, the setting to change", msg)
			}
		})
	}
}
