package cookie

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/sessionkit/sessions"
)

// KeySize is the length of every key in the ring: 32 bytes, for AES-256.
const KeySize = 32

// KeyEnv is the environment variable the registered "cookie" store (and the
// demo server) reads its key ring from, in the text form ParseKeys accepts.
const KeyEnv = "SESSIONS_COOKIE_KEY"

// ErrInvalidKey reports a key the store refuses: not exactly 32 bytes, not
// random-looking, or a key printed in documentation. It wraps
// sessions.ErrConfig. Generate a key with GenerateKey or
// `openssl rand -base64 32` and read it with ParseKey.
var ErrInvalidKey = fmt.Errorf("%w: cookie store key", sessions.ErrConfig)

// documentedKeys are keys printed in documentation, ours and other
// projects'. Anyone may have copied them, so they protect nothing; New
// refuses them. Every key that appears in this repository's docs, README or
// examples must be listed here.
var documentedKeys = []string{
	// The example in ParseKey's doc comment (and the README, if it prints one).
	"Rgd+SfE8bFBlfGu5Xb4JgculJzt/n6aDTDzC/+V40jA=",
	// The AES-GCM examples of Go's crypto/cipher package
	// ("change this password to a secret").
	"6368616e676520746869732070617373776f726420746f206120736563726574",
	// 32 zero bytes in base64, the usual placeholder.
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
	// The bytes 0x00 to 0x1f, the usual test-vector key.
	"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
}

var documentedKeyBytes = func() [][]byte {
	out := make([][]byte, 0, len(documentedKeys))
	for _, s := range documentedKeys {
		k, err := decodeKeyText(s)
		if err != nil || len(k) != KeySize {
			panic("cookie: bad documented key " + s)
		}
		out = append(out, k)
	}
	return out
}()

// GenerateKey returns a new random 32-byte key from crypto/rand. Print it
// with base64.StdEncoding and keep it in a secret store; read it back with
// ParseKey.
func GenerateKey() ([]byte, error) {
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		return nil, fmt.Errorf("%w: %v", sessions.ErrRandom, err)
	}
	return k, nil
}

// ParseKey decodes a key written as text: standard or URL-safe base64 (with
// or without padding, as `openssl rand -base64 32` prints it) or 64 hex
// digits, surrounded by optional white space. The key is checked as New
// checks it, so a short, zero or documented key is an error wrapping
// ErrInvalidKey. For example,
//
//	ParseKey("Rgd+SfE8bFBlfGu5Xb4JgculJzt/n6aDTDzC/+V40jA=")
//
// is refused: that key is printed here, so it is no secret.
func ParseKey(text string) ([]byte, error) {
	k, err := decodeKeyText(strings.TrimSpace(text))
	if err != nil {
		return nil, err
	}
	if err := checkKey(0, k); err != nil {
		return nil, err
	}
	return k, nil
}

// ParseKeys decodes a key ring written as text: keys in ParseKey's forms
// separated by commas or white space, newest first, as in
// SESSIONS_COOKIE_KEY="NEW,OLD". The result is ready for New.
func ParseKeys(text string) ([][]byte, error) {
	fields := strings.FieldsFunc(text, func(r rune) bool {
		return r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\r'
	})
	if len(fields) == 0 {
		return nil, fmt.Errorf("%w: no key given; generate one with `openssl rand -base64 32`", ErrInvalidKey)
	}
	keys := make([][]byte, 0, len(fields))
	for i, f := range fields {
		k, err := decodeKeyText(f)
		if err != nil {
			return nil, fmt.Errorf("key %d: %w", i+1, err)
		}
		keys = append(keys, k)
	}
	if err := checkKeys(keys); err != nil {
		return nil, err
	}
	return keys, nil
}

func decodeKeyText(s string) ([]byte, error) {
	if len(s) == 2*KeySize {
		if k, err := hex.DecodeString(s); err == nil {
			return k, nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := enc.Strict().DecodeString(s); err == nil && !strings.ContainsAny(s, "\r\n") {
			return k, nil
		}
	}
	return nil, fmt.Errorf("%w: key text is neither base64 nor 64 hex digits (it is %d characters); generate one with `openssl rand -base64 32`", ErrInvalidKey, len(s))
}

// checkKeys checks a key ring: at least one key, each valid, none twice.
func checkKeys(keys [][]byte) error {
	if len(keys) == 0 {
		return fmt.Errorf("%w: no key given; generate one with cookie.GenerateKey or `openssl rand -base64 32`", ErrInvalidKey)
	}
	for i, k := range keys {
		if err := checkKey(i+1, k); err != nil {
			return err
		}
		for j := range i {
			if subtle.ConstantTimeCompare(k, keys[j]) == 1 {
				return fmt.Errorf("%w: key %d repeats key %d; list each key once, newest first", ErrInvalidKey, i+1, j+1)
			}
		}
	}
	return nil
}

// checkKey refuses keys that cannot be 32 random bytes. A random key fails
// the shape tests with a probability below 1e-13. n numbers the key in the
// ring for the message (0: a lone key).
func checkKey(n int, k []byte) error {
	which := "key"
	if n > 0 {
		which = fmt.Sprintf("key %d", n)
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s %s; generate one with cookie.GenerateKey or `openssl rand -base64 32`", ErrInvalidKey, which, fmt.Sprintf(format, args...))
	}
	if len(k) == 0 {
		return bad("is empty")
	}
	if len(k) != KeySize {
		return bad("is %d bytes, want exactly %d random bytes", len(k), KeySize)
	}
	var seen [256]bool
	distinct, printable, progression := 0, true, true
	for i, c := range k {
		if !seen[c] {
			seen[c], distinct = true, distinct+1
		}
		printable = printable && c >= 0x20 && c < 0x7f
		progression = progression && (i < 2 || c-k[i-1] == k[1]-k[0])
	}
	if distinct == 1 && k[0] == 0 {
		return bad("is all zero bytes")
	}
	for _, d := range documentedKeyBytes {
		if subtle.ConstantTimeCompare(k, d) == 1 {
			return bad("is an example key printed in documentation, so it is no secret")
		}
	}
	switch {
	case progression:
		return bad("is a repeated byte or counting sequence, not random")
	case printable:
		return bad("is printable text (a password?), not random bytes; if it is base64 or hex, decode it with cookie.ParseKey")
	case distinct < 16:
		return bad("has only %d distinct byte values, too few to be random", distinct)
	}
	return nil
}
