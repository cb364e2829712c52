package sessions_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
)

// TestLogoutRacingRenewEvents runs a logout and a Renew or Login of the
// same session in two requests of its client, in either order: the
// logout's request loads the session, the other request runs whole, then
// the logout's commit runs (renewal first); or the logout's request runs
// whole inside the other's handler (logout first). An audit log fed by
// OnEvent must be able to trust EventDestroyed: it fires when the session
// is gone, and never for a session that lives on under the ID the
// renewal issued, which a Delete of the old key does not reach. The
// request that lost the race reports its write lost (EventLostWrite), as
// a Renew or Login does on a session a logout ended.
func TestLogoutRacingRenewEvents(t *testing.T) {
	for _, tc := range []struct {
		name        string
		rotate      time.Duration
		renewFirst  bool
		act         func(*sessions.Session) error
		wantDestroy bool
	}{
		{"Renew, then logout", 0, true, func(s *sessions.Session) error { s.Renew(); return nil }, false},
		{"Login, then logout", 0, true, func(s *sessions.Session) error { return s.Login("alice") }, false},
		{"Renew, then logout, rotation on", time.Hour, true, func(s *sessions.Session) error { s.Renew(); return nil }, false},
		{"logout, then Renew", 0, false, func(s *sessions.Session) error { s.Renew(); return nil }, true},
		{"logout, then Login", 0, false, func(s *sessions.Session) error { return s.Login("alice") }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			destroyed, lost := 0, 0
			mem := memory.New(memory.Options{})
			defer mem.Close()
			m, err := sessions.NewManager(mem, sessions.Options{
				RotateAfter: tc.rotate,
				OnEvent: func(_ context.Context, e sessions.Event) {
					mu.Lock()
					switch e.Kind {
					case sessions.EventDestroyed:
						destroyed++
					case sessions.EventLostWrite:
						lost++
					}
					mu.Unlock()
				},
			})
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			var renewed *http.Response
			var renew, logout http.Handler
			renew = m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				s := m.Start(w, r)
				s.User() // loaded: the logout, if second, comes now
				if !tc.renewFirst {
					serveCookie(logout, "/logout", r.Cookies()[0])
				}
				if err := tc.act(s); err != nil {
					t.Error(err)
				}
			}))
			logout = m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				m.Start(w, r).Logout()
				if tc.renewFirst {
					// Loaded and destroyed, not yet committed.
					renewed = serveCookie(renew, "/renew", r.Cookies()[0]).Result()
				}
			}))
			login := do(t, m, "", func(s *sessions.Session) {
				if err := s.Login("alice"); err != nil {
					t.Error(err)
				}
			})
			if len(login.Cookies()) != 1 {
				t.Fatalf("login set %d cookies, want 1", len(login.Cookies()))
			}
			mu.Lock()
			destroyed, lost = 0, 0
			mu.Unlock()

			if tc.renewFirst {
				serveCookie(logout, "/logout", login.Cookies()[0])
			} else {
				renewed = serveCookie(renew, "/renew", login.Cookies()[0]).Result()
			}
			if renewed == nil {
				t.Fatal("the renewal did not run")
			}

			alive := false
			for _, c := range renewed.Cookies() {
				if c.Value == "" {
					continue
				}
				do(t, m, c.Value, func(s *sessions.Session) { alive = !s.IsNew() && s.User() == "alice" })
			}
			list, err := m.UserSessions(t.Context(), "alice")
			if err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			defer mu.Unlock()
			if alive == tc.wantDestroy || (len(list) == 0) != tc.wantDestroy {
				t.Fatalf("alive %v with %d sessions of alice listed: the race did not run as this case means", alive, len(list))
			}
			want := 0
			if tc.wantDestroy {
				want = 1
			}
			if destroyed != want {
				t.Errorf("%d EventDestroyed, want %d (alice's session alive afterwards: %v)", destroyed, want, alive)
			}
			if lost != 1 {
				t.Errorf("%d EventLostWrite, want 1: the request that lost the race reports it", lost)
			}
		})
	}
}
