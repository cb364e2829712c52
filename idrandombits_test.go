package sessions_test

import (
	"encoding/base64"
	"net/http"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestIDsUseEveryRandomBit checks that each of the 256 bits of a session ID
// drawn from the default source (crypto/rand) varies between IDs: with 64
// IDs, a bit that is random is the same in all of them with probability
// 2^-63. An ID that fills only part of its bytes from the source (16 of 32
// bytes, say) has the shape and uniqueness of a good one but half its
// entropy.
func TestIDsUseEveryRandomBit(t *testing.T) {
	m, _ := newTestManager(t, sessions.Options{})
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.Start(w, r).Set("k", 1)
	}))
	var ones, zeros [32]byte // bits seen set, and seen clear, in some ID
	for range 64 {
		res := serveCookie(h, "/", nil).Result()
		if len(res.Cookies()) != 1 {
			t.Fatalf("a new session set %d cookies, want 1", len(res.Cookies()))
		}
		b, err := base64.RawURLEncoding.DecodeString(res.Cookies()[0].Value)
		if err != nil || len(b) != 32 {
			t.Fatalf("ID %q decodes to %d bytes, %v; want 32", res.Cookies()[0].Value, len(b), err)
		}
		for i := range b {
			ones[i] |= b[i]
			zeros[i] |= ^b[i]
		}
	}
	for i := range ones {
		if ones[i] != 0xff || zeros[i] != 0xff {
			t.Errorf("byte %d of 64 session IDs: bits %08b never set, %08b never clear; want every bit random", i, ^ones[i], ^zeros[i])
		}
	}
}
