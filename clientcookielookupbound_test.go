package sessions_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/cookie"
)

// countingCookieStore counts the cookie store's Opens.
type countingCookieStore struct {
	*cookie.Store
	opens atomic.Int32
}

func (s *countingCookieStore) Open(name, value string) (string, *sessions.Record, error) {
	s.opens.Add(1)
	return s.Store.Open(name, value)
}

func (s *countingCookieStore) OpenStale(name, value string) (string, *sessions.Record, bool, error) {
	s.opens.Add(1)
	return s.Store.OpenStale(name, value)
}

// newCountingCookieStore returns a cookie store under a fresh key that
// counts its Opens.
func newCountingCookieStore(t *testing.T) *countingCookieStore {
	t.Helper()
	k, err := cookie.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	cs, err := cookie.New(k)
	if err != nil {
		t.Fatal(err)
	}
	return &countingCookieStore{Store: cs}
}

// TestClientCookieOpensBounded checks the bound SECURITY.md gives under S8
// for the cookie store: the session cookies of one request cost at most 4
// Opens. A value of the largest length a cookie store opens (4096 bytes)
// costs an Open, so it counts towards the bound; a longer one costs none.
func TestClientCookieOpensBounded(t *testing.T) {
	store := newCountingCookieStore(t)
	m, err := sessions.NewManager(store, sessions.Options{CookieName: "sid"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		length int
		opens  int32
	}{
		{"4095 bytes", 4095, 4},
		{"4096 bytes", 4096, 4},
		{"4097 bytes", 4097, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var pairs []string
			for i := range 8 {
				pairs = append(pairs, "sid="+string(rune('a'+i))+strings.Repeat("A", tc.length-1))
			}
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.Header.Set("Cookie", strings.Join(pairs, "; "))
			before := store.opens.Load()
			m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				m.Start(w, r).Get("k")
			})).ServeHTTP(httptest.NewRecorder(), r)
			if got := store.opens.Load() - before; got != tc.opens {
				t.Errorf("8 session cookies of %d bytes: %d Opens, want %d", tc.length, got, tc.opens)
			}
		})
	}
}
