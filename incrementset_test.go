package sessions_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/sessionkit/sessions"
	_ "github.com/sessionkit/sessions/stores/memory"
)

// TestSetAfterIncrement checks that a value set over a counter the request
// incremented is what the request reads back, once the set is committed too
// (at once without the middleware; by Save, or by the commit an Increment
// of another key makes first, inside it), and what the next request reads.
func TestSetAfterIncrement(t *testing.T) {
	cases := []struct {
		name       string
		middleware bool
		commit     func(s *sessions.Session) // commits the pending Set
	}{
		{"write-through", false, func(*sessions.Session) {}},
		{"Save", true, func(s *sessions.Session) {
			if err := s.Save(); err != nil {
				t.Fatal(err)
			}
		}},
		{"Increment of another key", true, func(s *sessions.Session) {
			if _, err := s.Increment("other", 1); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := sessions.New("memory", "sid", 0)
			t.Cleanup(func() { m.Close() })
			serve := func(cookie *http.Cookie, f func(s *sessions.Session)) *httptest.ResponseRecorder {
				var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { f(m.Start(w, r)) })
				if tc.middleware {
					h = m.Handler(h)
				}
				return serveCookie(h, "https://example.com/", cookie)
			}
			w := serve(nil, func(s *sessions.Session) {
				for range 3 {
					if _, err := s.Increment("hits", 1); err != nil {
						t.Fatal(err)
					}
				}
				s.Set("hits", 0)
				tc.commit(s)
				if got := s.Get("hits"); got != 0 {
					t.Errorf("Get after Set(hits, 0) = %v, want 0", got)
				}
				if got := s.GetAll()["hits"]; got != 0 {
					t.Errorf("GetAll after Set(hits, 0) has hits = %v, want 0", got)
				}
			})
			cs := w.Result().Cookies()
			if len(cs) != 1 {
				t.Fatalf("cookies = %v, want the session cookie", cs)
			}
			serve(cs[0], func(s *sessions.Session) {
				if got := s.GetInt("hits"); got != 0 {
					t.Errorf("next request: hits = %d, want 0", got)
				}
			})
		})
	}
}
