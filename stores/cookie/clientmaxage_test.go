package cookie_test

import (
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// TestMaxAgeCountsDownToLifetime: with Persist, every cookie the cookie
// store issues lives until the session's absolute deadline, not a full
// Lifetime from the latest write.
func TestMaxAgeCountsDownToLifetime(t *testing.T) {
	r := newRig(t, newStore(t), sessions.Options{Persist: true, IdleTimeout: 30 * time.Minute, Lifetime: time.Hour})
	res := r.do("GET", "/set?v=a", "")
	c := res.value(t)
	if res.cookie.MaxAge != 3600 {
		t.Fatalf("new session: Max-Age %d, want 3600", res.cookie.MaxAge)
	}
	for _, c2 := range []struct {
		advance time.Duration
		want    int
	}{{20 * time.Minute, 2400}, {25 * time.Minute, 900}} {
		r.clock.Advance(c2.advance)
		res = r.do("GET", "/set?v=b", c)
		c = res.value(t)
		if res.cookie.MaxAge != c2.want {
			t.Errorf("write at %v: Max-Age %d, want %d (the time left until the absolute deadline)", r.clock.Now(), res.cookie.MaxAge, c2.want)
		}
	}
}
