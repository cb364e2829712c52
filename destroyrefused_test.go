package sessions_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
)

// TestDestroyThenRefusedCommitLogsOut checks that a logout stands when the
// request then stores a value its final commit refuses: the error handler
// answers, but the destroyed session is gone, whatever refused the value
// (Options.MaxSize, a store's codec, the cookie's size). With the cookie
// store, which keeps nothing on the server, the response expires the
// cookie.
func TestDestroyThenRefusedCommitLogsOut(t *testing.T) {
	plain := func(s sessions.Store) sessions.Store { return s }
	for _, tc := range []struct {
		name   string
		opts   sessions.Options
		wrap   func(sessions.Store) sessions.Store
		cookie bool // the cookie store, not the memory store wrap wraps
		bad    any
	}{
		{"Options.MaxSize", sessions.Options{MaxSize: 1000}, plain, false, strings.Repeat("x", 2000)},
		{"a store's codec", sessions.Options{}, func(s sessions.Store) sessions.Store { return encodingStore{s} }, false, func() {}},
		{"Options.MaxSize, cookie store", sessions.Options{MaxSize: 1000}, plain, true, strings.Repeat("x", 2000)},
		{"the cookie's size", sessions.Options{}, plain, true, strings.Repeat("x", 5000)},
		{"the cookie store's codec", sessions.Options{}, plain, true, func() {}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ev eventKinds
			mem := memory.New(memory.Options{})
			t.Cleanup(func() { mem.Close() })
			store := tc.wrap(mem)
			if tc.cookie {
				store = newCookieStore(t)
			}
			opts := tc.opts
			opts.OnEvent = ev.on
			m, err := sessions.NewManager(store, opts)
			if err != nil {
				t.Fatal(err)
			}
			var step func(s *sessions.Session)
			h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				step(m.Start(w, r))
			}))
			step = func(s *sessions.Session) {
				if err := s.Login("alice"); err != nil {
					t.Fatalf("Login: %v", err)
				}
			}
			c := serveCookie(h, "https://example.com/", nil).Result().Cookies()[0]
			if !tc.cookie && mem.Len() != 1 {
				t.Fatalf("setup: %d sessions stored, want 1", mem.Len())
			}
			ev.reset()
			step = func(s *sessions.Session) {
				s.Destroy()
				s.Set("bad", tc.bad)
			}
			res := serveCookie(h, "https://example.com/", c).Result()
			if res.StatusCode == http.StatusOK {
				t.Errorf("status 200, want the error handler's answer to the refused value")
			}
			if tc.cookie {
				expired := false
				for _, rc := range res.Cookies() {
					expired = expired || (rc.Name == c.Name && rc.MaxAge < 0)
				}
				if !expired || ev.count(sessions.EventDestroyed) != 1 {
					t.Errorf("after Destroy and a refused value: Set-Cookie %q, %d EventDestroyed; want the cookie expired and 1: the logout must stand",
						res.Header.Values("Set-Cookie"), ev.count(sessions.EventDestroyed))
				}
				return
			}
			if mem.Len() != 0 || ev.count(sessions.EventDestroyed) != 1 {
				t.Errorf("after Destroy and a refused value: %d sessions stored, %d EventDestroyed; want 0 and 1: the logout must stand",
					mem.Len(), ev.count(sessions.EventDestroyed))
			}
			step = func(s *sessions.Session) {
				if u := s.User(); u != "" {
					t.Errorf("the logged-out cookie still carries user %q", u)
				}
			}
			serveCookie(h, "https://example.com/", c)
		})
	}
}
