package cookie

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"fmt"

	"github.com/sessionkit/sessions"
)

// The sealed value, before base64url (raw, unpadded) encoding:
//
//	version (1 byte) | nonce (12 bytes) | AES-256-GCM ciphertext and tag
//
// The plaintext is uvarint(len(id)) | id | sessions.MarshalRecord(rec). The
// additional data is version | uvarint(len(purpose)) | purpose | cookie
// name, so a value moved to another cookie name or purpose fails to open.
const (
	formatVersion byte = 1
	nonceSize          = 12
	tagSize            = 16
	overhead           = 1 + nonceSize + tagSize

	// MaxCookieSize bounds a cookie's name plus value (RFC 6265bis: browsers
	// keep at most 4096 bytes of them). Seal refuses to exceed it and Open
	// refuses anything longer.
	MaxCookieSize = 4096

	maxIDLen = 255
)

// ErrCookieTooLarge reports a session that does not fit in one cookie. It
// wraps sessions.ErrTooLarge, so the manager answers with its error handler
// (413 by default) and sends no Set-Cookie. The store never splits a session
// over several cookies: every request would then carry several 4 KB
// headers, and a browser that drops or evicts one part loses the session in
// ways that are hard to see. Store less in the session, or keep large data
// on the server and put its key in the session.
var ErrCookieTooLarge = fmt.Errorf("%w: cookie store", sessions.ErrTooLarge)

// errOpen is the one error Open returns for every value it cannot
// authenticate (malformed, truncated, tampered, foreign, sealed under a key
// no longer in the ring), so a client learns nothing about why.
var errOpen = fmt.Errorf("%w: cookie value failed authentication", sessions.ErrCorrupt)

var b64 = base64.RawURLEncoding.Strict()

// Seal encrypts and authenticates the session id and rec for the cookie
// called name, under the newest key, with a fresh random nonce. rec is not
// modified. A result whose name and value exceed MaxCookieSize is an error
// wrapping ErrCookieTooLarge; a value the codec cannot encode, or Fields not
// sorted by key with each key once (build rec with Record.SetField), is an
// error wrapping sessions.ErrUnsupportedValue.
func (s *Store) Seal(name, id string, rec *sessions.Record) (string, error) {
	if id == "" || len(id) > maxIDLen {
		return "", fmt.Errorf("cookie store: session id of %d bytes, want 1 to %d", len(id), maxIDLen)
	}
	body, err := sessions.MarshalRecord(rec)
	if err != nil {
		return "", err
	}
	plain := make([]byte, 0, binary.MaxVarintLen64+len(id)+len(body))
	plain = binary.AppendUvarint(plain, uint64(len(id)))
	plain = append(append(plain, id...), body...)
	if n := len(name) + b64.EncodedLen(overhead+len(plain)); n > MaxCookieSize {
		return "", fmt.Errorf("%w: the sealed session would make a %d-byte cookie (name and value) over the %d-byte limit browsers keep; store less in the session",
			ErrCookieTooLarge, n, MaxCookieSize)
	}
	raw := make([]byte, 1+nonceSize, overhead+len(plain))
	raw[0] = formatVersion
	if _, err := rand.Read(raw[1:]); err != nil {
		return "", fmt.Errorf("%w: %v", sessions.ErrRandom, err)
	}
	raw = s.aeads[0].Seal(raw, raw[1:1+nonceSize], plain, s.aad(formatVersion, name))
	clear(plain)
	return b64.EncodeToString(raw), nil
}

// Open authenticates and decrypts a value Seal made for the cookie called
// name, under any key of the ring. Any value it cannot authenticate is the
// same error, wrapping sessions.ErrCorrupt. Nothing is decoded before the
// value is authenticated.
func (s *Store) Open(name, value string) (id string, rec *sessions.Record, err error) {
	id, rec, _, err = s.OpenStale(name, value)
	return id, rec, err
}

// OpenStale is Open that also reports whether the value was sealed under an
// older key than the newest. The manager calls it (see
// sessions.ClientKeyRing) and re-seals a stale session in the response, so a
// retired key is needed only until each client's next visit.
func (s *Store) OpenStale(name, value string) (id string, rec *sessions.Record, stale bool, err error) {
	if len(value) < b64.EncodedLen(overhead) || len(name)+len(value) > MaxCookieSize || !base64URL(value) {
		return "", nil, false, errOpen
	}
	raw, err := b64.DecodeString(value)
	if err != nil || raw[0] != formatVersion {
		return "", nil, false, errOpen
	}
	nonce, sealed := raw[1:1+nonceSize], raw[1+nonceSize:]
	aad := s.aad(raw[0], name)
	var plain []byte
	for i, aead := range s.aeads {
		// A failed Open may overwrite dst, so never decrypt in place: the
		// next key needs the sealed bytes intact.
		if plain, err = aead.Open(nil, nonce, sealed, aad); err == nil {
			stale = i > 0
			break
		}
	}
	if err != nil {
		return "", nil, false, errOpen
	}
	// Authentic from here on: these checks guard against a bug, not a client.
	n, k := binary.Uvarint(plain)
	if k <= 0 || n == 0 || n > maxIDLen || n > uint64(len(plain)-k) {
		return "", nil, false, fmt.Errorf("%w: cookie store: bad session id length", sessions.ErrCorrupt)
	}
	id = string(plain[k : k+int(n)])
	rec, err = sessions.UnmarshalRecord(plain[k+int(n):])
	if err != nil {
		return "", nil, false, fmt.Errorf("cookie store: %w", err)
	}
	return id, rec, stale, nil
}

// aad is the additional authenticated data: the format version, the purpose
// and the cookie name.
func (s *Store) aad(version byte, name string) []byte {
	b := make([]byte, 0, 1+binary.MaxVarintLen64+len(s.purpose)+len(name))
	b = append(b, version)
	b = binary.AppendUvarint(b, uint64(len(s.purpose)))
	b = append(b, s.purpose...)
	return append(b, name...)
}

// base64URL reports whether v uses only the unpadded base64url alphabet.
// The decoder alone would skip CR and LF, letting two different strings open
// as one value.
func base64URL(v string) bool {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
