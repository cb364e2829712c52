package sessions_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestLogoutEventNamesUser checks that the EventDestroyed a logout emits
// names the user who logged out, as the EventDestroyed of DestroySession,
// DestroyUserSessions and MaxPerUser evictions do: an audit log fed by
// OnEvent must be able to tell whose session ended.
func TestLogoutEventNamesUser(t *testing.T) {
	for _, tc := range []struct {
		name   string
		logout func(m *sessions.Manager, id string)
	}{
		{"Logout inside Handler", func(m *sessions.Manager, id string) {
			do(t, m, id, func(s *sessions.Session) { s.Logout() })
		}},
		{"Manager.Destroy without Handler", func(m *sessions.Manager, id string) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.AddCookie(&http.Cookie{Name: m.CookieName(), Value: id})
			m.Destroy(httptest.NewRecorder(), r)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			var events []sessions.Event
			m, _ := newTestManager(t, sessions.Options{OnEvent: func(_ context.Context, e sessions.Event) {
				mu.Lock()
				events = append(events, e)
				mu.Unlock()
			}})
			res := do(t, m, "", func(s *sessions.Session) {
				if err := s.Login("alice"); err != nil {
					t.Error(err)
				}
			})
			if len(res.Cookies()) != 1 {
				t.Fatalf("login set %d cookies, want 1", len(res.Cookies()))
			}
			mu.Lock()
			events = nil
			mu.Unlock()
			tc.logout(m, res.Cookies()[0].Value)
			if list, _ := m.UserSessions(t.Context(), "alice"); len(list) != 0 {
				t.Fatalf("alice still has %d sessions after logout", len(list))
			}
			mu.Lock()
			defer mu.Unlock()
			var got []sessions.Event
			for _, e := range events {
				if e.Kind == sessions.EventDestroyed {
					got = append(got, e)
				}
			}
			if len(got) != 1 || got[0].User != "alice" || got[0].Handle == "" {
				t.Errorf("logout emitted %+v; want one EventDestroyed with User alice and the session's handle", got)
			}
		})
	}
}
