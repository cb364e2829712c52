package sessions_test

import (
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// TestFlashes checks the flash queue within one session: the order of the
// messages, a list stored under FlashKey itself, and that a request with
// nothing queued writes nothing to the store.
func TestFlashes(t *testing.T) {
	for _, tc := range []struct {
		name string
		// before runs in a request before the one that reads the flashes.
		before func(s *sessions.Session)
		// during runs in the reading request, before Flashes.
		during     func(s *sessions.Session)
		want       []string
		wantWrites []string // the store calls of the reading request that write
	}{
		{
			name:       "nothing queued",
			before:     func(s *sessions.Session) {},
			want:       nil,
			wantWrites: nil,
		},
		{
			name: "oldest first",
			before: func(s *sessions.Session) {
				for _, m := range []string{"c", "a", "b", "a"} {
					s.AddFlash(m)
				}
			},
			want:       []string{"c", "a", "b", "a"},
			wantWrites: []string{"commit"},
		},
		{
			name: "more than a record keeps unsorted",
			before: func(s *sessions.Session) {
				for i := range 12 {
					s.Set(string(rune('a'+i)), i)
					s.AddFlash(string(rune('z' - i)))
				}
			},
			want:       strings.Split("z,y,x,w,v,u,t,s,r,q,p,o", ","),
			wantWrites: []string{"commit"},
		},
		{
			name:       "queued by the reading request",
			before:     func(s *sessions.Session) {},
			during:     func(s *sessions.Session) { s.AddFlash("now"); s.AddFlash("then") },
			want:       []string{"now", "then"},
			wantWrites: nil,
		},
		{
			name:       "queued before and by the reading request",
			before:     func(s *sessions.Session) { s.AddFlash("earlier") },
			during:     func(s *sessions.Session) { s.AddFlash("later") },
			want:       []string{"earlier", "later"},
			wantWrites: []string{"commit"},
		},
		{
			name: "a list under FlashKey comes first",
			before: func(s *sessions.Session) {
				s.AddFlash("queued")
				s.Set(sessions.FlashKey, []string{"old", "older"})
			},
			want:       []string{"old", "older", "queued"},
			wantWrites: []string{"commit"},
		},
		{
			name:       "queued and then cleared",
			before:     func(s *sessions.Session) { s.AddFlash("gone") },
			during:     func(s *sessions.Session) { s.Clear() },
			want:       nil,
			wantWrites: []string{"commit"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var (
				mu     sync.Mutex
				writes []string
				record bool
			)
			m, _, _ := newClockedManager(t, sessions.Options{OnStore: func(op string, _ time.Duration, _ error) {
				mu.Lock()
				defer mu.Unlock()
				if record && op != "load" {
					writes = append(writes, op)
				}
			}})
			var got, again []string
			h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				s := m.Start(w, r)
				switch r.URL.Path {
				case "/new":
					s.Set("x", 1)
				case "/before":
					tc.before(s)
				case "/next":
					got = s.Flashes()
				case "/read":
					if tc.during != nil {
						tc.during(s)
					}
					got = s.Flashes()
					again = s.Flashes()
				}
			}))
			res := serveCookie(h, "/new", nil).Result()
			if len(res.Cookies()) != 1 {
				t.Fatalf("/new set %d cookies, want 1", len(res.Cookies()))
			}
			cookie := res.Cookies()[0]
			serveCookie(h, "/before", cookie)
			mu.Lock()
			record = true
			mu.Unlock()
			serveCookie(h, "/read", cookie)
			mu.Lock()
			record = false
			gotWrites := writes
			mu.Unlock()
			if !slices.Equal(got, tc.want) {
				t.Errorf("Flashes = %q, want %q", got, tc.want)
			}
			if len(again) != 0 {
				t.Errorf("Flashes called again in the same request = %q, want none", again)
			}
			if !slices.Equal(gotWrites, tc.wantWrites) {
				t.Errorf("the reading request made the store calls %q, want %q", gotWrites, tc.wantWrites)
			}
			serveCookie(h, "/next", cookie)
			if len(got) != 0 {
				t.Errorf("Flashes in the next request = %q, want none", got)
			}
		})
	}
}

// TestFlashesAcrossLogin checks that Login drops queued flash messages
// with the rest of the anonymous session's values, unless KeepOnLogin
// lists FlashKey: then every queued message is carried over.
func TestFlashesAcrossLogin(t *testing.T) {
	for _, tc := range []struct {
		name string
		keep []string
		want []string
	}{
		{"dropped", nil, nil},
		{"kept", []string{sessions.FlashKey}, []string{"one", "two", "after"}},
		{"kept with a listed key", []string{"cart", sessions.FlashKey}, []string{"one", "two", "after"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, _, _ := newClockedManager(t, sessions.Options{KeepOnLogin: tc.keep})
			var got []string
			h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				s := m.Start(w, r)
				switch r.URL.Path {
				case "/new":
					s.Set("cart", 1)
					s.AddFlash("one")
					s.AddFlash("two")
				case "/login":
					if err := s.Login("alice"); err != nil {
						t.Errorf("Login: %v", err)
					}
					if tc.keep != nil {
						s.AddFlash("after")
					}
				default:
					got = s.Flashes()
				}
			}))
			res := serveCookie(h, "/new", nil).Result()
			if len(res.Cookies()) != 1 {
				t.Fatalf("/new set %d cookies, want 1", len(res.Cookies()))
			}
			res = serveCookie(h, "/login", res.Cookies()[0]).Result()
			if len(res.Cookies()) != 1 {
				t.Fatalf("/login set %d cookies, want 1", len(res.Cookies()))
			}
			serveCookie(h, "/read", res.Cookies()[0])
			if !slices.Equal(got, tc.want) {
				t.Errorf("Flashes after Login = %q, want %q", got, tc.want)
			}
		})
	}
}
