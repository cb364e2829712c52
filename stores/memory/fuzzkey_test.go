package memory

import (
	"strings"
	"testing"

	"github.com/sessionkit/sessions"
)

// FuzzParseKey checks parseKey against sessions.ValidKey: it accepts
// exactly the store keys, and keyString gives each one back unchanged, so
// no other string reaches a stored record.
func FuzzParseKey(f *testing.F) {
	f.Add(strings.Repeat("f", 64))
	f.Add(sessions.KeyOf("an id"))
	f.Add(strings.Repeat("F", 64))
	f.Add("fz" + strings.Repeat("f", 62))
	f.Add(strings.Repeat("0", 63) + "g")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		k, ok := parseKey(s)
		if valid := sessions.ValidKey(s); ok != valid {
			t.Fatalf("parseKey(%q) ok = %v, ValidKey = %v", s, ok, valid)
		}
		if ok && keyString(k) != s {
			t.Fatalf("keyString(parseKey(%q)) = %q", s, keyString(k))
		}
	})
}
