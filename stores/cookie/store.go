package cookie

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"fmt"
	"os"
	"time"

	"github.com/sessionkit/sessions"
)

func init() {
	sessions.Register("cookie", func() (sessions.Store, error) {
		text := os.Getenv(KeyEnv)
		if text == "" {
			return nil, fmt.Errorf("%w: the \"cookie\" store reads its keys from $%s, which is empty; set it to the output of `openssl rand -base64 32`", ErrInvalidKey, KeyEnv)
		}
		keys, err := ParseKeys(text)
		if err != nil {
			return nil, fmt.Errorf("$%s: %w", KeyEnv, err)
		}
		return New(keys...)
	})
}

// DefaultPurpose is the purpose bound into every value unless
// Options.Purpose says otherwise.
const DefaultPurpose = "session"

// keyInfo separates the AES keys this package derives from the configured
// keys (HKDF-SHA-256), so a key shared with other code by mistake never
// encrypts under the same AES key there.
const keyInfo = "sessionkit/sessions stores/cookie AES-256-GCM v1"

// Options configures a Store made by NewWithOptions.
type Options struct {
	// Keys is the key ring, newest first. The newest key seals every cookie;
	// any key opens one, and a cookie opened with an older key is sealed
	// again under the newest in the same response. Each key is exactly 32
	// random bytes (see GenerateKey and ParseKey). Required.
	Keys [][]byte

	// Purpose is bound into every value together with the cookie name, so a
	// value sealed for one purpose never opens for another even under the
	// same keys. Set it when several applications share keys. Default
	// DefaultPurpose.
	Purpose string
}

// Store keeps each session in its cookie, sealed with AES-256-GCM. It
// implements sessions.ClientStore, which the manager uses, and
// sessions.Store, which the manager requires but never calls for a client
// store. A Store is immutable and safe for concurrent use.
type Store struct {
	aeads   []cipher.AEAD // one per key, newest first
	purpose string
}

// New returns a store with the key ring keys, newest first. It is
// NewWithOptions(Options{Keys: keys}).
func New(keys ...[]byte) (*Store, error) {
	return NewWithOptions(Options{Keys: keys})
}

// NewWithOptions returns a store configured by opts. A missing, short, zero,
// non-random-looking, repeated or documented key is an error wrapping
// ErrInvalidKey (and sessions.ErrConfig).
func NewWithOptions(opts Options) (*Store, error) {
	if err := checkKeys(opts.Keys); err != nil {
		return nil, err
	}
	s := &Store{purpose: opts.Purpose}
	if s.purpose == "" {
		s.purpose = DefaultPurpose
	}
	for _, k := range opts.Keys {
		dk, err := hkdf.Key(sha256.New, k, nil, keyInfo, KeySize)
		if err != nil {
			return nil, fmt.Errorf("%w: deriving the AES key: %v", ErrInvalidKey, err)
		}
		block, err := aes.NewCipher(dk)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalidKey, err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalidKey, err)
		}
		s.aeads = append(s.aeads, aead)
	}
	return s, nil
}

// The sessions.Store methods. The manager detects sessions.ClientStore and
// calls Seal and Open instead, so these only answer code that uses the store
// directly: there is nothing on the server to load, write or delete.

func noServerState(op string) error {
	return fmt.Errorf("%w: %s: the cookie store keeps no server-side state; the session lives in the client's cookie (use Manager with this store instead of calling it directly)", sessions.ErrNotSupported, op)
}

// Load always reports not found: no session is kept on the server.
func (s *Store) Load(ctx context.Context, key string) (*sessions.Record, bool, error) {
	return nil, false, nil
}

// Create returns an error wrapping sessions.ErrNotSupported.
func (s *Store) Create(ctx context.Context, key string, rec *sessions.Record) error {
	return noServerState("Create")
}

// Commit returns an error wrapping sessions.ErrNotSupported.
func (s *Store) Commit(ctx context.Context, key string, d *sessions.Delta) error {
	return noServerState("Commit")
}

// Delete returns an error wrapping sessions.ErrNotSupported: a cookie the
// client holds cannot be deleted from the server (see the package
// documentation on revocation).
func (s *Store) Delete(ctx context.Context, key string) error {
	return noServerState("Delete")
}

// Increment returns an error wrapping sessions.ErrNotSupported.
// Session.Increment counts inside the cookie instead.
func (s *Store) Increment(ctx context.Context, key, field string, by int64) (int64, error) {
	return 0, noServerState("Increment")
}

// Rename returns an error wrapping sessions.ErrNotSupported. Renew seals the
// session under a new ID instead.
func (s *Store) Rename(ctx context.Context, oldKey, newKey string, grace time.Duration) error {
	return noServerState("Rename")
}

var (
	_ sessions.Store         = (*Store)(nil)
	_ sessions.ClientStore   = (*Store)(nil)
	_ sessions.ClientKeyRing = (*Store)(nil)
)
