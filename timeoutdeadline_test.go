package sessions_test

import (
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
)

// TestTimeoutsEndAtTheirDeadline checks that the manager ends a session at
// the very instant its idle timeout or absolute lifetime has passed, from
// the record's metadata, as Options.IdleTimeout documents ("enforced on
// every read ... whatever the store purges"). The store here never expires
// anything (its clock stands still), so only the manager's check can end
// the session.
func TestTimeoutsEndAtTheirDeadline(t *testing.T) {
	const (
		idle     = 10 * time.Minute
		lifetime = 15 * time.Minute
	)
	for _, tc := range []struct {
		name     string
		activity []time.Duration // reads after creation, before the deadline
		deadline time.Duration
	}{
		{"idle timeout", nil, idle},
		{"absolute lifetime", []time.Duration{8 * time.Minute}, lifetime},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base := time.Unix(1_800_000_000, 0)
			store := memory.New(memory.Options{Now: func() time.Time { return base }})
			t.Cleanup(func() { store.Close() })
			var now atomic.Int64
			m, err := sessions.NewManager(store, sessions.Options{
				IdleTimeout: idle,
				Lifetime:    lifetime,
				Now:         func() time.Time { return base.Add(time.Duration(now.Load())) },
			})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { m.Close() })
			h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				s := m.Start(w, r)
				if r.URL.Path == "/new" {
					s.Set("k", 1)
					return
				}
				if s.IsNew() {
					w.Write([]byte("new"))
				} else {
					w.Write([]byte("live"))
				}
			}))
			// Two sessions with the same history: a read is activity, so
			// the one read just before the deadline is not the one read at it.
			var before, at *http.Cookie
			for _, c := range []**http.Cookie{&before, &at} {
				res := serveCookie(h, "/new", nil).Result()
				if len(res.Cookies()) != 1 {
					t.Fatalf("/new set %d cookies, want 1", len(res.Cookies()))
				}
				*c = res.Cookies()[0]
			}
			for _, d := range tc.activity {
				now.Store(int64(d))
				for _, c := range []*http.Cookie{before, at} {
					if got := serveCookie(h, "/read", c).Body.String(); got != "live" {
						t.Fatalf("read %v after creation: %s, want live", d, got)
					}
				}
			}
			now.Store(int64(tc.deadline) - 1)
			if got := serveCookie(h, "/read", before).Body.String(); got != "live" {
				t.Fatalf("read a nanosecond before the %s has passed: %s, want live", tc.name, got)
			}
			now.Store(int64(tc.deadline))
			if got := serveCookie(h, "/read", at).Body.String(); got != "new" {
				t.Fatalf("read when the %s has passed: %s, want new (the session ended)", tc.name, got)
			}
		})
	}
}
