package sessions_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestParallelRequestsKeepEachOthersChanges runs a request that changes
// one value of a session while a parallel request, which loaded the session
// before and committed after, changes another. A commit carries only what
// its request changed, so neither undoes the other: the value the parallel
// request set is not put back to what the slow one loaded, and the value
// it deleted does not come back.
func TestParallelRequestsKeepEachOthersChanges(t *testing.T) {
	for _, tc := range []struct {
		name string
		wrap func(*sessions.Manager, http.Handler) http.Handler
	}{
		{"middleware", func(m *sessions.Manager, h http.Handler) http.Handler { return m.Handler(h) }},
		{"write-through", func(_ *sessions.Manager, h http.Handler) http.Handler { return h }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, _, _ := newClockedManager(t, sessions.Options{})
			var h http.Handler
			var cookie *http.Cookie
			h = tc.wrap(m, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				s := m.Start(w, r)
				switch r.URL.Path {
				case "/new":
					s.Set("x", 1)
					s.Set("y", 1)
				case "/fast":
					s.Set("x", 2)
					s.Delete("y")
				case "/slow":
					s.Get("x") // loaded before /fast commits
					if res := serveCookie(h, "/fast", cookie); res.Code != http.StatusOK {
						t.Errorf("/fast: status %d", res.Code)
					}
					s.Set("a", 1)
				default:
					_, hasY := s.Lookup("y")
					fmt.Fprintf(w, "x=%v y=%v a=%v", s.Get("x"), hasY, s.Get("a"))
				}
			}))
			res := serveCookie(h, "/new", nil).Result()
			if len(res.Cookies()) != 1 {
				t.Fatalf("/new set %d cookies, want 1", len(res.Cookies()))
			}
			cookie = res.Cookies()[0]
			serveCookie(h, "/slow", cookie)
			if got, want := serveCookie(h, "/read", cookie).Body.String(), "x=2 y=false a=1"; got != want {
				t.Errorf("after both requests the session reads %q, want %q", got, want)
			}
		})
	}
}
