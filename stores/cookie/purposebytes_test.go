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
// length (TestSameKeysOtherPurpose uses purposes of different lengths).
func TestPurposeBytesBound(t *testing.T) {
	for _, tc := range []struct{ seal, open string }{
		{"", "abcdefg"}, // the default purpose, "session", has 7 bytes
		{"session", "Session"},
		{"admin-app", "admin-apq"},
		{"shop", "blog"},
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
			v, err := a.Seal("sid", strings.Repeat("C", sessions.IDLen), &sessions.Record{})
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := b.Open("sid", v); !errors.Is(err, sessions.ErrCorrupt) {
				t.Errorf("value sealed for purpose %q opened for purpose %q: err = %v, want ErrCorrupt", tc.seal, tc.open, err)
			}
			if _, _, err := a.Open("sid", v); err != nil {
				t.Errorf("same keys, same purpose %q: %v", tc.seal, err)
			}
		})
	}
}
