package sessions_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestMaxSizeIncrementCookieStore is TestMaxSizeIncrement for the cookie
// store, with and without the middleware: an Increment that would take the
// session over Options.MaxSize, or its cookie over the cookie's limit, is
// refused with ErrTooLarge and leaves the session usable, as it does with a
// server-side store; the session's values and later changes are stored.
func TestMaxSizeIncrementCookieStore(t *testing.T) {
	cases := []struct {
		name    string
		maxSize int
		pad     int    // bytes of the value the session holds before the Increment
		modes   []bool // with the middleware, without
	}{
		{"Options.MaxSize", 100, 100 - sizeOf(t, "pad", "") - 10, []bool{true, false}},
		// Under Handler the cookie is sealed only at the commit: the
		// Increment seals it beforehand to know its size.
		{"the cookie's limit", 0, 2000, []bool{true, false}},
	}
	for _, tc := range cases {
		for _, middleware := range tc.modes {
			name := tc.name + "/write-through"
			if middleware {
				name = tc.name + "/Handler"
			}
			t.Run(name, func(t *testing.T) {
				m, err := sessions.NewManager(newCookieStore(t), sessions.Options{MaxSize: tc.maxSize})
				if err != nil {
					t.Fatal(err)
				}
				pad := strings.Repeat("x", tc.pad)
				var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					s := m.Start(w, r)
					s.Set("pad", pad)
					if err := s.Save(); err != nil {
						t.Fatalf("Save of the padding: %v", err)
					}
					key := "another-counter"
					if tc.maxSize == 0 {
						key = strings.Repeat("k", 1200) // over the cookie's 4096 bytes
					}
					if n, err := s.Increment(key, 1); !errors.Is(err, sessions.ErrTooLarge) || n != 0 {
						t.Errorf("Increment of a new key with no room = %d, %v; want 0, ErrTooLarge", n, err)
					}
					if s.Err() != nil {
						t.Errorf("a refused Increment ended the session: %v", s.Err())
					}
					if _, ok := s.Lookup(key); ok {
						t.Errorf("the refused counter is in the session")
					}
					s.Set("later", 1)
					if err := s.Save(); err != nil {
						t.Errorf("Save after the refused Increment: %v", err)
					}
				})
				if middleware {
					h = m.Handler(h)
				}
				res := serveCookie(h, "https://example.com/", nil).Result()
				if res.StatusCode != http.StatusOK {
					t.Errorf("status %d, want 200", res.StatusCode)
				}
				cs := res.Cookies()
				if len(cs) == 0 {
					t.Fatal("no session cookie")
				}
				var got map[string]any
				serveCookie(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					got = m.Start(w, r).GetAll()
				})), "https://example.com/", cs[len(cs)-1])
				if !equalValues(got, map[string]any{"pad": pad, "later": 1}) {
					t.Errorf("stored values have keys %v, want pad and later", keys(got))
				}
			})
		}
	}
}

// TestIncrementCookieStoreOtherValueRefused checks that under Handler a
// cookie-store Increment is refused only for the count: with another
// pending value the cookie store cannot encode, the Increment counts, and
// the commit reports that value's ErrUnsupportedValue to the error handler.
func TestIncrementCookieStoreOtherValueRefused(t *testing.T) {
	var handled error
	m, err := sessions.NewManager(newCookieStore(t), sessions.Options{ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
		handled = err
		http.Error(w, "refused", http.StatusBadRequest)
	}})
	if err != nil {
		t.Fatal(err)
	}
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := m.Start(w, r)
		s.Set("bad", make(chan int))
		if n, err := s.Increment("hits", 1); n != 1 || err != nil {
			t.Errorf("Increment beside an unencodable value = %d, %v; want 1, nil", n, err)
		}
	}))
	res := serveCookie(h, "https://example.com/", nil).Result()
	if res.StatusCode != http.StatusBadRequest || !errors.Is(handled, sessions.ErrUnsupportedValue) {
		t.Errorf("status %d, error handler called with %v; want its answer to ErrUnsupportedValue", res.StatusCode, handled)
	}
}
