package cookie_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/cookie"
)

// TestSealSizeLimitExact grows a session one byte at a time and checks that
// Seal accepts every cookie (name and value) up to MaxCookieSize bytes and
// refuses the first one over it. Unpadded base64 never has a length of
// 4k+1, so a name that would need one has its largest cookie a byte short.
func TestSealSizeLimitExact(t *testing.T) {
	s := newStore(t)
	id := strings.Repeat("A", sessions.IDLen)
	for _, name := range []string{"s", "id", "sid", "sess", cookieName} {
		t.Run(name, func(t *testing.T) {
			largest := 0
			for n := 2800; ; n++ {
				rec := &sessions.Record{}
				rec.SetField("v", strings.Repeat("x", n))
				v, err := s.Seal(name, id, rec)
				if err != nil {
					if !errors.Is(err, cookie.ErrCookieTooLarge) {
						t.Fatalf("value of %d bytes: %v, want ErrCookieTooLarge", n, err)
					}
					break
				}
				if total := len(name) + len(v); total > cookie.MaxCookieSize {
					t.Fatalf("Seal made a %d-byte cookie, over %d", total, cookie.MaxCookieSize)
				} else {
					largest = total
				}
				if _, _, err := s.Open(name, v); err != nil {
					t.Fatalf("a %d-byte cookie Seal made does not open: %v", len(name)+len(v), err)
				}
			}
			want := cookie.MaxCookieSize
			if (cookie.MaxCookieSize-len(name))%4 == 1 {
				want--
			}
			if largest != want {
				t.Errorf("largest cookie Seal accepts is %d bytes, want %d (the limit is %d)", largest, want, cookie.MaxCookieSize)
			}
		})
	}
}
