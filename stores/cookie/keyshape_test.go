package cookie_test

import (
	"encoding/base64"
	"errors"
	"testing"

	"github.com/sessionkit/sessions/stores/cookie"
)

// spread returns a 32-byte key of n distinct byte values, all at or above
// 0x90 (not printable) and in no arithmetic progression.
func spread(n int) []byte {
	k := make([]byte, cookie.KeySize)
	for i := range k {
		k[i] = byte(0x90 + 7*(i*7%n))
	}
	return k
}

// TestKeyShapeBoundaries pins the edges of the checks on a key's shape.
func TestKeyShapeBoundaries(t *testing.T) {
	for _, c := range []struct {
		name string
		key  []byte
		ok   bool
	}{
		{"15 distinct values", spread(15), false},
		{"16 distinct values", spread(16), true},
		// A passphrase with spaces is still printable text.
		{"passphrase with spaces", []byte("correct horse battery staple 42!"), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := cookie.New(c.key)
			if c.ok && err != nil {
				t.Errorf("New: %v, want the key accepted", err)
			}
			if !c.ok && !errors.Is(err, cookie.ErrInvalidKey) {
				t.Errorf("New: err = %v, want ErrInvalidKey", err)
			}
		})
	}
}

// TestParseKeyRefusesInnerLineBreak: white space may surround a key's text
// but not split it (the base64 decoder alone would skip CR and LF inside).
func TestParseKeyRefusesInnerLineBreak(t *testing.T) {
	k := newKey(t)
	text := base64.StdEncoding.EncodeToString(k)
	if _, err := cookie.ParseKey(" " + text + "\n"); err != nil {
		t.Fatalf("ParseKey of a key with surrounding white space: %v", err)
	}
	for _, sep := range []string{"\n", "\r\n", "\r"} {
		if got, err := cookie.ParseKey(text[:20] + sep + text[20:]); !errors.Is(err, cookie.ErrInvalidKey) {
			t.Errorf("ParseKey of a key split by %q = %x, %v; want ErrInvalidKey", sep, got, err)
		}
	}
}
