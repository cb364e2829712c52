package sessions

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"testing"
)

// TestTokenMatchesOnlyCanonicalEncoding checks that a CSRF token is
// accepted only as it was issued: unpadded base64 leaves unused bits in the
// last character, and a decoder that ignores them would accept several
// spellings of one token.
func TestTokenMatchesOnlyCanonicalEncoding(t *testing.T) {
	secret := make([]byte, csrfSecretLen)
	rand.Read(secret)
	token := maskToken(rand.Reader, secret)
	if !tokenMatches(token, secret) {
		t.Fatal("the issued token does not match")
	}
	want, _ := base64.RawURLEncoding.DecodeString(token)
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	others := 0
	for _, c := range []byte(alphabet) {
		alt := token[:len(token)-1] + string(c)
		if alt == token {
			continue
		}
		if b, err := base64.RawURLEncoding.DecodeString(alt); err != nil || !bytes.Equal(b, want) {
			continue // another token, not another spelling of this one
		}
		others++
		if tokenMatches(alt, secret) {
			t.Errorf("the token spelled %q in its last character matches", c)
		}
	}
	if others == 0 {
		t.Fatal("setup: the token's length leaves no unused bits to try")
	}
}
