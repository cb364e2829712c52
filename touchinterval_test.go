package sessions_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// TestTouchOncePerInterval checks where TouchInterval's boundary lies: a
// request records the session's activity once the recorded one is
// TouchInterval old, not a nanosecond later, so a client that comes back
// every TouchInterval has its activity recorded every time, whether the
// request only reads (a write of its own) or changes a value (carried in
// that commit); a request a nanosecond earlier records nothing. A commit
// made during the request (Save) judges by the clock at that commit.
func TestTouchOncePerInterval(t *testing.T) {
	const interval = time.Minute
	for _, tc := range []struct {
		name    string
		advance time.Duration
		act     func(s *sessions.Session, tick func()) // tick moves the clock a nanosecond
		touched bool
	}{
		{"read before the interval", interval - time.Nanosecond, func(s *sessions.Session, _ func()) { s.Get("n") }, false},
		{"read at the interval", interval, func(s *sessions.Session, _ func()) { s.Get("n") }, true},
		{"write before the interval", interval - time.Nanosecond, func(s *sessions.Session, _ func()) { s.Set("n", 2) }, false},
		{"write at the interval", interval, func(s *sessions.Session, _ func()) { s.Set("n", 2) }, true},
		{"Save reaching the interval", interval - time.Nanosecond, func(s *sessions.Session, tick func()) {
			s.Get("n") // loaded a nanosecond before the interval
			tick()
			s.Set("n", 2)
			if err := s.Save(); err != nil {
				t.Error(err)
			}
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, store, now := newClockedManager(t, sessions.Options{TouchInterval: interval})
			h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				s := m.Start(w, r)
				if r.URL.Path == "/seed" {
					s.Set("n", 1)
					return
				}
				tc.act(s, func() { now.Add(1) })
			}))
			res := serveCookie(h, "/seed", nil).Result()
			if len(res.Cookies()) != 1 {
				t.Fatalf("/seed set %d cookies, want 1", len(res.Cookies()))
			}
			key := sessions.KeyOf(res.Cookies()[0].Value)
			seeded, _, err := store.Load(t.Context(), key)
			if err != nil || seeded == nil {
				t.Fatalf("loading the seeded record: %v", err)
			}
			before := seeded.LastSeen
			now.Add(int64(tc.advance))
			serveCookie(h, "/", res.Cookies()[0])
			rec, _, err := store.Load(t.Context(), key)
			if err != nil || rec == nil {
				t.Fatalf("loading the record: %v", err)
			}
			want := before
			if tc.touched {
				want = now.Load()
			}
			if rec.LastSeen != want {
				t.Errorf("stored LastSeen = %s after the recorded one; want %s", time.Duration(rec.LastSeen-before), time.Duration(want-before))
			}
		})
	}
}
