package sessions_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
)

// TestLateChangeDoesNotReplayCommitted checks that a change made after the
// response started writes only itself: the changes the middleware already
// committed before the first byte are not written a second time, so a
// parallel request's writes made in between (a key it deleted, keys it set
// after a Clear) are neither undone nor brought back.
func TestLateChangeDoesNotReplayCommitted(t *testing.T) {
	for _, tc := range []struct {
		name  string
		early func(s *sessions.Session) // before the first byte
		other func(s *sessions.Session) // a parallel request, in between
		want  map[string]any
	}{
		{
			name:  "set then deleted elsewhere",
			early: func(s *sessions.Session) { s.Set("a", "early") },
			other: func(s *sessions.Session) { s.Delete("a") },
			want:  map[string]any{"name": "kataras", "late": "yes"},
		},
		{
			name:  "clear then set elsewhere",
			early: func(s *sessions.Session) { s.Clear() },
			other: func(s *sessions.Session) { s.Set("b", "other") },
			want:  map[string]any{"b": "other", "late": "yes"},
		},
		{
			name:  "delete then set elsewhere",
			early: func(s *sessions.Session) { s.Delete("name") },
			other: func(s *sessions.Session) { s.Set("name", "other") },
			want:  map[string]any{"name": "other", "late": "yes"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store := memory.New(memory.Options{})
			defer store.Close()
			m, err := sessions.NewManager(store, sessions.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			id := seedSession(t, m)
			cookie := &http.Cookie{Name: m.CookieName(), Value: id}
			h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				s := m.Start(w, r)
				tc.early(s)
				io.WriteString(w, "the response starts here")
				// A parallel request on the same session, served while
				// this response streams.
				do(t, m, id, tc.other)
				s.Set("late", "yes")
			}))
			serveCookie(h, "/", cookie)
			var got map[string]any
			do(t, m, id, func(s *sessions.Session) { got = s.GetAll() })
			if len(got) != len(tc.want) {
				t.Fatalf("the session holds %v, want %v", got, tc.want)
			}
			for k, v := range tc.want {
				if got[k] != v {
					t.Errorf("the session holds %v, want %v", got, tc.want)
					break
				}
			}
		})
	}
}
