package sessions_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestWriteToEndedSessionIsLostWrite checks the write of a request whose
// session a parallel request destroyed or renewed after this one loaded
// it: the write is dropped, the session is not written back to life under
// its old ID, and the drop is reported as an EventLostWrite naming the
// session, so that a change that silently vanished shows in the logs.
func TestWriteToEndedSessionIsLostWrite(t *testing.T) {
	for _, tc := range []struct {
		name string
		end  func(s *sessions.Session) // what the parallel request does
	}{
		{"destroyed", func(s *sessions.Session) { s.Destroy() }},
		{"renewed", func(s *sessions.Session) { s.Renew() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var (
				mu     sync.Mutex
				events []sessions.Event
			)
			m, _ := newTestManager(t, sessions.Options{OnEvent: func(_ context.Context, e sessions.Event) {
				mu.Lock()
				defer mu.Unlock()
				events = append(events, e)
			}})
			var h http.Handler
			var first *http.Cookie
			h = m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				s := m.Start(w, r)
				switch r.URL.Path {
				case "/new":
					s.Set("cart", 1)
				case "/end":
					tc.end(s)
				case "/write":
					s.Get("cart") // loaded before the parallel request ends it
					serveCookie(h, "/end", first)
					mu.Lock()
					events = nil
					mu.Unlock()
					s.Set("cart", 2)
				default:
					w.Write([]byte(s.GetString("cart")))
				}
			}))
			res := serveCookie(h, "/new", nil).Result()
			if len(res.Cookies()) != 1 {
				t.Fatalf("/new set %d cookies, want 1", len(res.Cookies()))
			}
			first = res.Cookies()[0]
			w := serveCookie(h, "/write", first)
			if c := w.Result().Cookies(); len(c) != 0 {
				t.Errorf("the lost write's response set cookies %v, want none", c)
			}
			mu.Lock()
			got := events
			mu.Unlock()
			want := sessions.KeyOf(first.Value)[:16]
			if len(got) != 1 || got[0].Kind != sessions.EventLostWrite || got[0].Handle != want {
				t.Errorf("events of the lost write = %+v, want one EventLostWrite for %s", got, want)
			}
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.AddCookie(first)
			if _, found, err := m.Store().Load(r.Context(), sessions.KeyOf(first.Value)); found || err != nil {
				t.Errorf("the old ID's session after the lost write: found %v, err %v; want gone", found, err)
			}
		})
	}
}
