package sessions_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
)

// TestFailedWriteIsNotRead checks that, without the middleware, a change
// whose write failed (the store down, the session too large) is not read
// back in the same request: the seed's /set handler, which Sets a value and
// prints Get of it, would otherwise report the value saved while the store
// never held it. After the failure the session reads what the store holds,
// and Err reports why.
func TestFailedWriteIsNotRead(t *testing.T) {
	for _, tc := range []struct {
		name   string
		stored bool   // the request carries a stored session with name=kataras
		fail   string // the store call that fails: "closed" closes the store
		max    int    // Options.MaxSize
		change func(s *sessions.Session)
		want   map[string]any // what the session reads afterwards
		user   string         // and its User
	}{
		{"new session, store closed", false, "closed", 0,
			func(s *sessions.Session) { s.Set("name", "bob") }, map[string]any{}, ""},
		{"stored session, commit fails", true, "commit", 0,
			func(s *sessions.Session) { s.Set("name", "bob") }, map[string]any{"name": "kataras"}, ""},
		{"stored session, Delete fails", true, "commit", 0,
			func(s *sessions.Session) { s.Delete("name") }, map[string]any{"name": "kataras"}, ""},
		{"stored session, Clear fails", true, "commit", 0,
			func(s *sessions.Session) { s.Clear() }, map[string]any{"name": "kataras"}, ""},
		{"stored session, too large", true, "", 100,
			func(s *sessions.Session) { s.Set("name", strings.Repeat("b", 200)) }, map[string]any{"name": "kataras"}, ""},
		{"stored session, Login fails", true, "closed", 0,
			func(s *sessions.Session) { s.Login("bob") }, map[string]any{"name": "kataras"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mem := memory.New(memory.Options{})
			t.Cleanup(func() { mem.Close() })
			store := &failingStore{Store: mem, fail: map[string]bool{}}
			m, err := sessions.NewManager(store, sessions.Options{MaxSize: tc.max})
			if err != nil {
				t.Fatal(err)
			}
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			if tc.stored {
				r.AddCookie(&http.Cookie{Name: m.CookieName(), Value: seedSession(t, m)})
			}
			s := m.Start(httptest.NewRecorder(), r)
			s.Get("name") // loaded before the store fails
			if tc.fail == "closed" {
				mem.Close()
			} else {
				store.fail[tc.fail] = true
			}
			tc.change(s)
			if s.Err() == nil {
				t.Fatal("Err() = nil after a failed write")
			}
			if got := s.GetAll(); !equalValues(got, tc.want) {
				t.Errorf("GetAll() = %v after the failed write, want %v, what the store holds", got, tc.want)
			}
			if got, want := s.Get("name"), tc.want["name"]; got != want {
				t.Errorf("Get(name) = %v after the failed write, want %v", got, want)
			}
			if got := s.User(); got != tc.user {
				t.Errorf("User() = %q after the failed write, want %q", got, tc.user)
			}
		})
	}
}
