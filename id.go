package sessions

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
)

// IDLen is the length of a session ID as it appears in the cookie: 32 random
// bytes in unpadded base64url.
const IDLen = 43

const idBytes = 32

// newID draws a session ID from r (crypto/rand.Reader unless a test injects
// another). An injected reader is read with io.ReadFull, so one that fails
// surfaces as ErrRandom rather than a crash; crypto/rand itself never fails
// (since Go 1.24 it aborts the program instead).
func newID(r io.Reader) (string, error) {
	var out [IDLen]byte
	if r == rand.Reader {
		// The default source, called directly: the bytes then stay on the
		// stack (through the io.Reader interface they escape to the heap).
		var b [idBytes]byte
		rand.Read(b[:])
		base64.RawURLEncoding.Encode(out[:], b[:])
		return string(out[:]), nil
	}
	b := make([]byte, idBytes)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", fmt.Errorf("%w: %v", ErrRandom, err)
	}
	base64.RawURLEncoding.Encode(out[:], b)
	return string(out[:]), nil
}

// validID reports whether s has the exact shape of an ID this package issues:
// 43 characters of the base64url alphabet whose last character carries no
// stray bits. Anything else is treated as no cookie at all, before any store
// call.
func validID(s string) bool {
	if len(s) != IDLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if b64val[s[i]] < 0 {
			return false
		}
	}
	// 43 chars carry 258 bits; the last char holds 4 data bits and 2 zero bits.
	return b64val[s[IDLen-1]]&3 == 0
}

var b64val = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for i := 0; i < len(alphabet); i++ {
		t[alphabet[i]] = int8(i)
	}
	return t
}()

// KeyOf returns the store key for a session ID: the lowercase hex SHA-256 of
// the ID. Stores only ever see keys, so a dump of a store cannot be replayed
// as cookies, and a key is safe to show as a public handle.
func KeyOf(id string) string {
	// Hash from a stack copy: []byte(id) of an ID's length would be a heap
	// allocation per request.
	var sum [sha256.Size]byte
	if len(id) <= 64 {
		var buf [64]byte
		sum = sha256.Sum256(buf[:copy(buf[:], id)])
	} else {
		sum = sha256.Sum256([]byte(id))
	}
	var out [2 * sha256.Size]byte
	for i, b := range sum {
		p := hexPairs[b]
		out[2*i], out[2*i+1] = byte(p>>8), byte(p)
	}
	return string(out[:])
}

// hexPairs maps a byte to its two lowercase hex digits (high digit in the
// high byte): one lookup per byte of the key.
var hexPairs = func() (t [256]uint16) {
	const digits = "0123456789abcdef"
	for i := range t {
		t[i] = uint16(digits[i>>4])<<8 | uint16(digits[i&0x0f])
	}
	return t
}()

// ValidKey reports whether key has the shape of a store key (64 lowercase hex
// characters). Stores may use it to refuse anything else.
func ValidKey(key string) bool {
	if len(key) != 2*sha256.Size {
		return false
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
