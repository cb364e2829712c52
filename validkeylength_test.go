package sessions_test

import (
	"strings"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestValidKeyExactLength checks that ValidKey accepts exactly 64 lowercase
// hex digits: a key one digit short or long, or twice as long (a SHA-512 in
// hex), is no store key.
func TestValidKeyExactLength(t *testing.T) {
	key := sessions.KeyOf("id")
	for _, tc := range []struct {
		name string
		key  string
		want bool
	}{
		{"64 digits", key, true},
		{"63 digits", key[:63], false},
		{"65 digits", key + "0", false},
		{"128 digits", key + key, false},
		{"64 digits and a newline", key + "\n", false},
		{"empty", "", false},
		{"64 zeros", strings.Repeat("0", 64), true},
	} {
		if got := sessions.ValidKey(tc.key); got != tc.want {
			t.Errorf("%s: ValidKey(%q) = %v, want %v", tc.name, tc.key, got, tc.want)
		}
	}
}
