package sessions_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
)

// TestTwoStartsOneRequest checks that, without the middleware, two
// Sessions that Start gave one request (a helper that calls Start, then
// the handler) act as one session even when both were read before either
// changed it: a session one of them creates, renews, logs in or destroys
// is the one the other writes to next, so the client gets one cookie, the
// store one record, and no write is lost.
func TestTwoStartsOneRequest(t *testing.T) {
	for _, tc := range []struct {
		name   string
		stored bool // the request carries a stored session with name=kataras
		first  func(m *sessions.Manager, a *sessions.Session, w http.ResponseWriter, r *http.Request)
		want   map[string]any // the values the next request reads, with the other's Set of y=2
		user   string
	}{
		{"new session: both Set", false,
			func(_ *sessions.Manager, a *sessions.Session, _ http.ResponseWriter, _ *http.Request) { a.Set("x", 1) },
			map[string]any{"x": 1, "y": 2}, ""},
		{"new session: Increment, then Set", false,
			func(_ *sessions.Manager, a *sessions.Session, _ http.ResponseWriter, _ *http.Request) {
				a.Increment("x", 1)
			},
			map[string]any{"x": 1, "y": 2}, ""},
		{"stored session: Renew, then Set", true,
			func(_ *sessions.Manager, a *sessions.Session, _ http.ResponseWriter, _ *http.Request) { a.Renew() },
			map[string]any{"name": "kataras", "y": 2}, ""},
		{"stored session: Login, then Set", true,
			func(_ *sessions.Manager, a *sessions.Session, _ http.ResponseWriter, _ *http.Request) { a.Login("bob") },
			map[string]any{"y": 2}, "bob"},
		{"stored session: Manager.Destroy, then Set", true,
			func(m *sessions.Manager, _ *sessions.Session, w http.ResponseWriter, r *http.Request) {
				m.Destroy(w, r)
			},
			map[string]any{"y": 2}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mem := memory.New(memory.Options{})
			t.Cleanup(func() { mem.Close() })
			m, err := sessions.NewManager(mem, sessions.Options{})
			if err != nil {
				t.Fatal(err)
			}
			var old string
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			if tc.stored {
				old = seedSession(t, m)
				r.AddCookie(&http.Cookie{Name: m.CookieName(), Value: old})
			}
			w := httptest.NewRecorder()
			a, b := m.Start(w, r), m.Start(w, r)
			a.Get("name") // both read first
			b.Get("name")
			tc.first(m, a, w, r)
			b.Set("y", 2)
			if err := b.Err(); err != nil {
				t.Fatalf("second Session's Err() = %v", err)
			}
			if got := b.IsNew(); got != !tc.stored {
				t.Errorf("second Session's IsNew() = %v, want %v: it is about the session the request arrived with", got, !tc.stored)
			}

			cs := w.Result().Cookies()
			if len(cs) != 1 || cs[0].Value == "" || cs[0].Value == old {
				t.Fatalf("cookies %v; want one, naming a new session", cs)
			}
			if n := mem.Len(); n != 1 {
				t.Errorf("store holds %d sessions, want 1: the other is orphaned", n)
			}
			r = httptest.NewRequest(http.MethodGet, "/", nil)
			r.AddCookie(cs[0])
			next := m.Start(httptest.NewRecorder(), r)
			if got := next.GetAll(); !equalValues(got, tc.want) {
				t.Errorf("next request reads %v, want %v", got, tc.want)
			}
			if got := next.User(); got != tc.user {
				t.Errorf("next request's User() = %q, want %q", got, tc.user)
			}
		})
	}
}
