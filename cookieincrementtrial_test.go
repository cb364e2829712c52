package sessions_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestIncrementCookieStoreSealsSessionAsItStands checks what a cookie-store
// Increment under Handler seals to learn whether its count fits: the
// session as the commit would seal it, with its metadata and its pending
// changes, and nothing of the trial left behind. A session is filled until
// one more byte would not fit in the cookie (with a logged-in user whose
// long name the metadata carries); then an Increment that adds digits to a
// pending counter is refused, and the pending value stays as it was.
func TestIncrementCookieStoreSealsSessionAsItStands(t *testing.T) {
	m, err := sessions.NewManager(newCookieStore(t), sessions.Options{})
	if err != nil {
		t.Fatal(err)
	}
	user := strings.Repeat("u", 300)
	// fill is what each request does first: log in, then hold pad bytes
	// and a pending counter at 9.
	fill := func(s *sessions.Session, pad int) {
		if err := s.Login(user); err != nil {
			t.Fatalf("Login: %v", err)
		}
		s.Set("pad", strings.Repeat("x", pad))
		s.Set("n", 9)
	}
	fits := func(pad int) bool {
		var err error
		serveCookie(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s := m.Start(w, r)
			fill(s, pad)
			err = s.Save()
		})), "https://example.com/", nil)
		if err != nil && !errors.Is(err, sessions.ErrTooLarge) {
			t.Fatalf("Save with %d bytes of padding: %v", pad, err)
		}
		return err == nil
	}
	lo, hi := 0, 4096 // fits(lo), !fits(hi)
	if !fits(lo) || fits(hi) {
		t.Fatal("setup: the padding range does not bracket the cookie's limit")
	}
	for hi-lo > 1 {
		if mid := (lo + hi) / 2; fits(mid) {
			lo = mid
		} else {
			hi = mid
		}
	}
	res := serveCookie(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := m.Start(w, r)
		fill(s, lo)
		if n, err := s.Increment("n", 1e8); !errors.Is(err, sessions.ErrTooLarge) || n != 0 {
			t.Errorf("Increment adding 8 digits to a full cookie = %d, %v; want 0, ErrTooLarge", n, err)
		}
		if got := s.GetInt("n"); got != 9 {
			t.Errorf("after the refused Increment n = %d, want the pending 9", got)
		}
	})), "https://example.com/", nil).Result()
	if res.StatusCode != http.StatusOK {
		t.Errorf("status %d, want 200: the session as it stood fits", res.StatusCode)
	}
}

// TestIncrementCookieStoreAfterRemoval checks that the seal behind a
// cookie-store Increment under Handler honours a pending Clear or Delete:
// values the commit will drop do not count against the cookie's limit.
func TestIncrementCookieStoreAfterRemoval(t *testing.T) {
	for _, tc := range []struct {
		name   string
		remove func(s *sessions.Session)
	}{
		{"Clear", func(s *sessions.Session) { s.Clear() }},
		{"Delete", func(s *sessions.Session) { s.Delete("pad") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := sessions.NewManager(newCookieStore(t), sessions.Options{})
			if err != nil {
				t.Fatal(err)
			}
			res := serveCookie(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				m.Start(w, r).Set("pad", strings.Repeat("x", 2500))
			})), "https://example.com/", nil).Result()
			c := res.Cookies()[0]
			key := strings.Repeat("k", 1500) // with the padding, over 4096 bytes
			res = serveCookie(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				s := m.Start(w, r)
				tc.remove(s)
				if n, err := s.Increment(key, 1); n != 1 || err != nil {
					t.Errorf("Increment after %s = %d, %v; want 1, nil", tc.name, n, err)
				}
			})), "https://example.com/", c).Result()
			if res.StatusCode != http.StatusOK || len(res.Cookies()) == 0 {
				t.Fatalf("status %d, cookies %v; want 200 and the new cookie", res.StatusCode, res.Cookies())
			}
			var got map[string]any
			serveCookie(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got = m.Start(w, r).GetAll()
			})), "https://example.com/", res.Cookies()[0])
			if !equalValues(got, map[string]any{key: 1}) {
				t.Errorf("stored values have keys %v, want only the counter", keys(got))
			}
		})
	}
}
