package sessions_test

import (
	"net/http/httptest"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestBindUserAgentKeepsNonVersionDots checks that BindUserAgent cuts a
// token only at a '.' or '_' that follows a digit (a version's minor part):
// a dot after a letter is part of a name, such as the package name an
// in-app browser adds, so two apps whose names differ after such a dot do
// not bind alike.
func TestBindUserAgentKeepsNonVersionDots(t *testing.T) {
	const base = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.135 Mobile Safari/537.36 "
	bind := func(ua string) string {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("User-Agent", ua)
		return sessions.BindUserAgent(r)
	}
	for _, tc := range []struct{ a, b string }{
		{"com.bank.app/7.1", "com.evil.app/7.1"},
		{"Sleipnir.beta", "Sleipnir.stable"},
	} {
		if ba, bb := bind(base+tc.a), bind(base+tc.b); ba == bb {
			t.Errorf("User-Agents ending %q and %q bind alike (%q); a dot after a letter is no version's minor part", tc.a, tc.b, ba)
		}
	}
}
