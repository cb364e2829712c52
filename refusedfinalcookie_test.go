package sessions_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
)

// TestFailedFinalCommitKeepsStoredCookie checks the cookie of a failed
// final commit's answer when an earlier step of the request already stored
// the session under a new ID (a Save or an Increment after Login or
// Renew, or the first step of a renewal a store makes in two): the error
// handler answers, but the response still carries that session's cookie,
// so the client is not left holding an ID that names nothing while the
// store keeps a session no cookie names.
func TestFailedFinalCommitKeepsStoredCookie(t *testing.T) {
	for _, tc := range []struct {
		name    string
		opts    sessions.Options
		store   func(t *testing.T, mem *memory.Store) sessions.Store
		handler func(s *sessions.Session)
		// What the stored session holds: its user, and the value its
		// "name" had before the request (Login keeps no values).
		user, value string
	}{
		{"Login, Save, then over MaxSize", sessions.Options{MaxSize: 100}, nil, func(s *sessions.Session) {
			s.Login("bob")
			if err := s.Save(); err != nil {
				panic(err)
			}
			s.Set("big", strings.Repeat("x", 100))
		}, "bob", ""},
		{"Renew, Increment, then over MaxSize", sessions.Options{MaxSize: 100}, nil, func(s *sessions.Session) {
			s.Renew()
			s.Increment("n", 1)
			s.Set("big", strings.Repeat("x", 100))
		}, "", "kataras"},
		{"Login, then a value a two-step store refuses", sessions.Options{}, func(t *testing.T, mem *memory.Store) sessions.Store {
			return encodingStore{mem} // no RenameCommit: the renewal is stored before the commit
		}, func(s *sessions.Session) {
			s.Login("bob")
			s.Set("bad", func() {})
		}, "", "kataras"}, // the login's metadata went with the refused commit
		{"cookie store: Login, Save, then over the cookie's size", sessions.Options{}, func(t *testing.T, _ *memory.Store) sessions.Store {
			return newCookieStore(t)
		}, func(s *sessions.Session) {
			s.Login("bob")
			if err := s.Save(); err != nil {
				panic(err)
			}
			s.Set("big", strings.Repeat("x", 5000))
		}, "bob", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mem := memory.New(memory.Options{})
			t.Cleanup(func() { mem.Close() })
			var st sessions.Store = mem
			if tc.store != nil {
				st = tc.store(t, mem)
			}
			m, err := sessions.NewManager(st, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			var step func(s *sessions.Session)
			h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				step(m.Start(w, r))
			}))
			step = func(s *sessions.Session) { s.Set("name", "kataras") }
			c := serveCookie(h, "https://example.com/", nil).Result().Cookies()[0]
			step = tc.handler
			res := serveCookie(h, "https://example.com/", c).Result()
			if res.StatusCode == http.StatusOK {
				t.Fatalf("status 200, want the error handler's answer")
			}
			for _, k := range res.Cookies() {
				c = k // the cookie the client keeps
			}
			if cc := res.Header.Get("Cache-Control"); len(res.Cookies()) > 0 && cc != "no-store" {
				t.Errorf("the answer sets the session cookie with Cache-Control %q, want no-store", cc)
			}
			var id, user, name string
			step = func(s *sessions.Session) { id, user, name = s.ID(), s.User(), s.GetString("name") }
			serveCookie(h, "https://example.com/", c)
			if id == "" || user != tc.user || name != tc.value {
				t.Errorf("the client's cookie after the answer (Set-Cookie %q) names session %q, user %q, name %q; want the stored session: user %q, name %q (%d sessions stored)",
					res.Header.Values("Set-Cookie"), id, user, name, tc.user, tc.value, mem.Len())
			}
			if tc.store == nil && mem.Len() != 1 {
				t.Errorf("%d sessions stored, want 1", mem.Len())
			}
		})
	}
}

// TestFailedCommitAnswerStaysUncacheable checks that an error handler
// answering a failed commit whose response must still set or clear the
// session cookie cannot make that answer cacheable: a shared cache would
// hand the cookie to other clients.
func TestFailedCommitAnswerStaysUncacheable(t *testing.T) {
	for _, tc := range []struct {
		name   string
		answer func(w http.ResponseWriter)
	}{
		{"WriteHeader", func(w http.ResponseWriter) {
			w.Header().Set("Cache-Control", "public, max-age=60")
			w.WriteHeader(http.StatusTeapot)
		}},
		{"Write", func(w http.ResponseWriter) {
			w.Header().Set("Cache-Control", "public, max-age=60")
			w.Write([]byte("refused"))
		}},
		{"Flush", func(w http.ResponseWriter) {
			w.Header().Set("Cache-Control", "public, max-age=60")
			http.NewResponseController(w).Flush()
		}},
		{"nothing written", func(w http.ResponseWriter) {
			w.Header().Set("Cache-Control", "public, max-age=60")
		}},
	} {
		for _, logout := range []bool{false, true} {
			name := tc.name + "/login"
			if logout {
				name = tc.name + "/logout"
			}
			t.Run(name, func(t *testing.T) {
				mem := memory.New(memory.Options{})
				t.Cleanup(func() { mem.Close() })
				m, err := sessions.NewManager(mem, sessions.Options{MaxSize: 100,
					ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) { tc.answer(w) }})
				if err != nil {
					t.Fatal(err)
				}
				id := seedSession(t, m)
				h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					http.SetCookie(w, &http.Cookie{Name: "handler", Value: "1"})
					s := m.Start(w, r)
					if logout {
						s.Destroy()
					} else {
						s.Login("bob")
						if err := s.Save(); err != nil {
							t.Errorf("Save: %v", err)
						}
					}
					s.Set("big", strings.Repeat("x", 100))
				}))
				res := serveCookie(h, "https://example.com/", &http.Cookie{Name: m.CookieName(), Value: id}).Result()
				if cs := res.Cookies(); len(cs) != 1 || cs[0].Name != m.CookieName() {
					t.Fatalf("status %d, Set-Cookie %q; want the session cookie alone, none of the handler's", res.StatusCode, res.Header.Values("Set-Cookie"))
				}
				if cc := res.Header.Values("Cache-Control"); len(cc) != 1 || cc[0] != "no-store" {
					t.Errorf("the answer sets the session cookie with Cache-Control %q, want no-store", cc)
				}
				if !strings.Contains(strings.Join(res.Header.Values("Vary"), ","), "Cookie") {
					t.Errorf("the answer sets the session cookie with Vary %q, want Cookie in it", res.Header.Values("Vary"))
				}
			})
		}
	}
}
