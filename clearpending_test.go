package sessions_test

import (
	"net/http"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestClearDropsEarlierChanges checks that Clear removes the values the
// request itself set or incremented before it, not only the stored ones:
// neither the request (Get, Len) nor the next one reads them afterwards.
func TestClearDropsEarlierChanges(t *testing.T) {
	for _, tc := range []struct {
		name   string
		before func(t *testing.T, s *sessions.Session) // runs before Clear
	}{
		{"Set", func(t *testing.T, s *sessions.Session) { s.Set("k", 1) }},
		{"Increment", func(t *testing.T, s *sessions.Session) {
			if _, err := s.Increment("k", 1); err != nil {
				t.Fatal(err)
			}
		}},
		{"AddFlash", func(t *testing.T, s *sessions.Session) { s.AddFlash("k") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, _ := newTestManager(t, sessions.Options{})
			h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				s := m.Start(w, r)
				switch r.URL.Path {
				case "/new":
					s.Set("stored", 1)
				case "/clear":
					tc.before(t, s)
					s.Clear()
					if v, ok := s.Lookup("k"); ok {
						t.Errorf("after Clear: Lookup(k) = %v, want none", v)
					}
					if n := s.Len(); n != 0 {
						t.Errorf("after Clear: Len = %d, want 0 (%v)", n, s.GetAll())
					}
					if f := s.Flashes(); len(f) != 0 {
						t.Errorf("after Clear: Flashes = %q, want none", f)
					}
				case "/next":
					if n := s.Len(); n != 0 {
						t.Errorf("next request: Len = %d, want 0 (%v)", n, s.GetAll())
					}
				}
			}))
			res := serveCookie(h, "/new", nil).Result()
			if len(res.Cookies()) != 1 {
				t.Fatalf("/new set %d cookies, want 1", len(res.Cookies()))
			}
			cookie := res.Cookies()[0]
			serveCookie(h, "/clear", cookie)
			serveCookie(h, "/next", cookie)
		})
	}
}
