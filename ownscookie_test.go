package sessions_test

import (
	"testing"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
)

// TestOwnsCookie checks which Set-Cookie lines Manager.OwnsCookie calls the
// session cookie: the cookie's name at its Path and Domain (a leading dot
// on the domain, attribute names in any case, spaces around the line as
// net/http trims them), and not the name at another Path or Domain, nor a
// longer name it begins.
func TestOwnsCookie(t *testing.T) {
	store := memory.New(memory.Options{})
	t.Cleanup(func() { store.Close() })
	m, err := sessions.NewManager(store, sessions.Options{CookieName: "sid", Domain: "example.com", Path: "/app"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		line string
		want bool
	}{
		{"sid=abc; Path=/app; Domain=example.com; HttpOnly", true},
		{"sid=; path=/app; domain=.example.com; Max-Age=0", true},
		{" sid=abc; Path=/app; Domain=example.com", true},
		{"sid=abc; Domain=example.com; Path=/app", true},
		{"sid=abc; Path=/; Domain=example.com", false},
		{"sid=abc; Path=/app", false},
		{"sid=abc; Path=/app; Domain=old.example.com", false},
		{"sidx=abc; Path=/app; Domain=example.com", false},
		{"theme=dark; Path=/app; Domain=example.com", false},
		{"sid", false},
	} {
		if got := m.OwnsCookie(tc.line); got != tc.want {
			t.Errorf("OwnsCookie(%q) = %v, want %v", tc.line, got, tc.want)
		}
	}
}
