package sessions_test

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestCookieLookupsBounded proves the bound SECURITY.md gives under S8: the
// session cookies of one request cost at most 4 store lookups, however many
// well-formed values they carry, and at most 16 distinct values are looked
// at; a malformed value costs no lookup, so a live session sent after
// malformed values is still found while it is among the first 16.
func TestCookieLookupsBounded(t *testing.T) {
	m, store := newTestManager(t, sessions.Options{CookieName: "sid"})
	live := seedSession(t, m)
	unknown := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			var b [32]byte
			_, _ = rand.Read(b[:])
			out[i] = base64.RawURLEncoding.EncodeToString(b[:])
		}
		return out
	}
	malformed := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("junk%d", i)
		}
		return out
	}
	for _, c := range []struct {
		name   string
		values []string
		loads  int32
		found  bool
	}{
		{"ten unknown IDs", unknown(10), 4, false},
		{"three unknown IDs, then the live one", append(unknown(3), live), 4, true},
		{"four unknown IDs, then the live one", append(unknown(4), live), 4, false},
		{"fifteen malformed values, then the live one", append(malformed(15), live), 1, true},
		{"sixteen malformed values, then the live one", append(malformed(16), live), 0, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			var pairs []string
			for _, v := range c.values {
				pairs = append(pairs, "sid="+v)
			}
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.Header.Set("Cookie", strings.Join(pairs, "; "))
			var got string
			before := store.loads.Load()
			m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got = m.Start(w, r).GetString("name")
			})).ServeHTTP(httptest.NewRecorder(), r)
			if loads := store.loads.Load() - before; loads != c.loads {
				t.Errorf("%d store lookups, want %d", loads, c.loads)
			}
			if found := got == "kataras"; found != c.found {
				t.Errorf("live session found = %v, want %v", found, c.found)
			}
		})
	}
}
