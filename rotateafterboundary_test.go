package sessions_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// TestRotateAfterBoundary checks that automatic rotation is due once
// Options.RotateAfter has passed since the session's ID was issued, at the
// exact moment and not a nanosecond before: a read then re-issues the
// cookie under a new ID.
func TestRotateAfterBoundary(t *testing.T) {
	const after = 10 * time.Minute
	for _, tc := range []struct {
		advance time.Duration
		rotated bool
	}{
		{after - time.Nanosecond, false},
		{after, true},
	} {
		m, _, now := newClockedManager(t, sessions.Options{RotateAfter: after, IdleTimeout: time.Hour, Lifetime: time.Hour})
		h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s := m.Start(w, r)
			if r.URL.Path == "/seed" {
				s.Set("k", 1)
				return
			}
			s.Get("k")
		}))
		seeded := serveCookie(h, "/seed", nil).Result().Cookies()
		if len(seeded) != 1 {
			t.Fatalf("/seed set %d cookies, want 1", len(seeded))
		}
		now.Add(int64(tc.advance))
		cs := serveCookie(h, "/", seeded[0]).Result().Cookies()
		rotated := len(cs) == 1 && cs[0].Value != seeded[0].Value && cs[0].Value != ""
		if rotated != tc.rotated {
			t.Errorf("read %v after the ID was issued (RotateAfter %v): cookies %v; rotated = %v, want %v", tc.advance, after, cs, rotated, tc.rotated)
		}
	}
}
