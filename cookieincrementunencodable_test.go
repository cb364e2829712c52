package sessions_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestIncrementCookieStoreMeasuredBesideUnencodable checks that a
// cookie-store Increment under Handler measures its count even when another
// pending value cannot be stored (a value the codec cannot encode, a key
// that is not UTF-8): the handler may still drop that value, and the
// cookie then carries the count, so a count that does not fit must be
// refused at once, and one that fits must be stored.
func TestIncrementCookieStoreMeasuredBesideUnencodable(t *testing.T) {
	type unstorable struct {
		key   string
		value any
	}
	for _, tc := range []struct {
		name    string
		bad     unstorable
		counter string // the counter's key: its length decides whether it fits
		fits    bool
	}{
		{"beside a channel, count fits", unstorable{"bad", make(chan int)}, "hits", true},
		{"beside a channel, count over the limit", unstorable{"bad", make(chan int)}, strings.Repeat("k", 1500), false},
		{"beside a key not UTF-8, count fits", unstorable{"bad\xff", 1}, "hits", true},
		{"beside a key not UTF-8, count over the limit", unstorable{"bad\xff", 1}, strings.Repeat("k", 1500), false},
		// Sorted after the padding: the values before it count too.
		{"beside a channel sorted last, count over the limit", unstorable{"zz", make(chan int)}, strings.Repeat("k", 1500), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := sessions.NewManager(newCookieStore(t), sessions.Options{})
			if err != nil {
				t.Fatal(err)
			}
			var n int64
			var incErr error
			rec := serveCookie(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				s := m.Start(w, r)
				s.Set("pad", strings.Repeat("x", 2500))
				s.Set(tc.bad.key, tc.bad.value)
				n, incErr = s.Increment(tc.counter, 1)
				s.Delete(tc.bad.key) // the handler drops the value it cannot store
				fmt.Fprint(w, "handler")
			})), "https://example.com/", nil)
			switch {
			case tc.fits && (n != 1 || incErr != nil):
				t.Errorf("Increment = %d, %v; want 1, nil", n, incErr)
			case !tc.fits && (n != 0 || !errors.Is(incErr, sessions.ErrTooLarge)):
				t.Errorf("Increment = %d, %v; want 0, ErrTooLarge", n, incErr)
			}
			if rec.Code != http.StatusOK || rec.Body.String() != "handler" {
				t.Errorf("status %d %q after Increment = %d, %v; want the handler's 200", rec.Code, strings.TrimSpace(rec.Body.String()), n, incErr)
			}
		})
	}
}

// TestIncrementCookieStoreInvalidKey checks that a cookie-store Increment
// of a key the codec cannot store (not UTF-8) is refused with
// ErrUnsupportedValue under Handler too, as it is when written at once,
// and not reported as stored and then refused at the commit.
func TestIncrementCookieStoreInvalidKey(t *testing.T) {
	for _, middleware := range []bool{false, true} {
		t.Run(fmt.Sprint("middleware=", middleware), func(t *testing.T) {
			m, err := sessions.NewManager(newCookieStore(t), sessions.Options{})
			if err != nil {
				t.Fatal(err)
			}
			var n int64
			var incErr error
			var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				s := m.Start(w, r)
				n, incErr = s.Increment("bad\xffkey", 1)
				s.Set("after", "stored")
				fmt.Fprint(w, "handler")
			})
			if middleware {
				h = m.Handler(h)
			}
			rec := serveCookie(h, "https://example.com/", nil)
			if n != 0 || !errors.Is(incErr, sessions.ErrUnsupportedValue) {
				t.Errorf("Increment(invalid UTF-8 key) = %d, %v; want 0, ErrUnsupportedValue", n, incErr)
			}
			if rec.Code != http.StatusOK || rec.Body.String() != "handler" {
				t.Errorf("status %d %q; want the handler's 200", rec.Code, strings.TrimSpace(rec.Body.String()))
			}
		})
	}
}
