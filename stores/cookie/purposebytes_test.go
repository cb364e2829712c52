package cookie_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/cookie"
)

// TestPurposeBytesBound checks that a value sealed for one purpose never
// opens for another under the same keys, also when the two purposes have
// the same length: the purpose's bytes are authenticated, not only its
// length (TestSameKeysOtherPurpose uses purposes of different lengths);
// and its length is too, so that a purpose and cookie name that join to
// the same bytes ("ab" and "c", "a" and "bc") are not the same pair.
func TestPurposeBytesBound(t *testing.T) {
	for _, tc := range []struct{ seal, open, sealName, openName string }{
		{"", "abcdefg", "sid", "sid"}, // the default purpose, "session", has 7 bytes
		{"session", "Session", "sid", "sid"},
		{"admin-app", "admin-apq", "sid", "sid"},
		{"shop", "blog", "sid", "sid"},
		// The purpose's length is bound too: purpose and cookie name
		// that join to the same bytes are another pair.
		{"ab", "a", "c", "bc"},
	} {
		t.Run(tc.seal+"/"+tc.open, func(t *testing.T) {
			k := newKey(t)
			a, err := cookie.NewWithOptions(cookie.Options{Keys: [][]byte{k}, Purpose: tc.seal})
			if err != nil {
				t.Fatal(err)
			}
			b, err := cookie.NewWithOptions(cookie.Options{Keys: [][]byte{k}, Purpose: tc.open})
			if err != nil {
				t.Fatal(err)
			}
			v, err := a.Seal(tc.sealName, strings.Repeat("C", sessions.IDLen), &sessions.Record{})
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := b.Open(tc.openName, v); !errors.Is(err, sessions.ErrCorrupt) {
				t.Errorf("value sealed for purpose %q, cookie %q opened for purpose %q, cookie %q: err = %v, want ErrCorrupt", tc.seal, tc.sealName, tc.open, tc.openName, err)
			}
			if _, _, err := a.Open(tc.sealName, v); err != nil {
				t.Errorf("same keys, same purpose %q: %v", tc.seal, err)
			}
		})
	}
}
