package sessions_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// TestPersistCookieLastSecond checks the Max-Age of a persistent cookie
// issued when the session's absolute deadline is near: the whole seconds
// left, and under one second Max-Age=0, which deletes the cookie. A cookie
// without Max-Age would outlive the session as a browser-session cookie.
func TestPersistCookieLastSecond(t *testing.T) {
	const life = time.Hour
	for _, tc := range []struct {
		left time.Duration
		want string
	}{
		{1500 * time.Millisecond, "Max-Age=1"},
		{500 * time.Millisecond, "Max-Age=0"},
		{time.Nanosecond, "Max-Age=0"},
	} {
		m, _, now := newClockedManager(t, sessions.Options{Persist: true, Lifetime: life, IdleTimeout: life})
		h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s := m.Start(w, r)
			if r.URL.Path == "/seed" {
				s.Set("k", 1)
				return
			}
			s.Renew()
		}))
		seeded := serveCookie(h, "/seed", nil).Result().Cookies()
		if len(seeded) != 1 {
			t.Fatalf("/seed set %d cookies, want 1", len(seeded))
		}
		now.Add(int64(life - tc.left))
		lines := serveCookie(h, "/", seeded[0]).Result().Header.Values("Set-Cookie")
		if len(lines) != 1 || !strings.Contains(lines[0], "; "+tc.want) {
			t.Errorf("renewed with %v left: Set-Cookie %q; want one line with %s", tc.left, lines, tc.want)
		}
	}
}
