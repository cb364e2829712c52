package cookie_test

import (
	"encoding/hex"
	"testing"

	"github.com/sessionkit/sessions/stores/cookie"
)

// knownValue was sealed by this store for the cookie "__Host-id" under
// knownKey with the default purpose: session ID "known-answer-session-id",
// user "alice", one value name = "alice". A cookie issued before an upgrade
// must open after it, so the key derivation (HKDF-SHA-256 with the package's
// info string), the default purpose, the additional data and the plaintext
// layout must not change without a new format version.
const (
	knownKey   = "9f3ac1e07b5d2a86f4c09e3177d2b8a5e61f0c4d93a8b27e5cf16d0a483be7c2"
	knownValue = "AZIpjLf21hh3D195JvPH9Y5vGuPklFkU1GZtqeAx0gFJzMgpPUkPt0F6GYSos5nXGReBWV0Q4cSbmwFMfG7JY_lQYxd2eNu26oCStXQ1-_pu"
)

func TestOpenKnownValue(t *testing.T) {
	k, err := hex.DecodeString(knownKey)
	if err != nil {
		t.Fatal(err)
	}
	for name, opts := range map[string]cookie.Options{
		"New":                     {Keys: [][]byte{k}},
		"Purpose: DefaultPurpose": {Keys: [][]byte{k}, Purpose: cookie.DefaultPurpose},
	} {
		t.Run(name, func(t *testing.T) {
			s, err := cookie.NewWithOptions(opts)
			if err != nil {
				t.Fatal(err)
			}
			id, rec, err := s.Open("__Host-id", knownValue)
			if err != nil {
				t.Fatalf("a value sealed by this format does not open: %v", err)
			}
			if id != "known-answer-session-id" || rec.User != "alice" {
				t.Errorf("opened id %q, user %q; want known-answer-session-id, alice", id, rec.User)
			}
			if v, _ := rec.Lookup("name"); v != "alice" {
				t.Errorf("name = %#v, want \"alice\"", v)
			}
		})
	}
}
