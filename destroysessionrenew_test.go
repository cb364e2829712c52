package sessions_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
)

// actOnLoad is a memory store that runs act once, just after the next Load
// of key returns: the moment a revocation has checked the session and is
// about to end it.
type actOnLoad struct {
	*memory.Store
	mu  sync.Mutex
	key string
	act func()
}

func (s *actOnLoad) Load(ctx context.Context, key string) (*sessions.Record, bool, error) {
	rec, found, err := s.Store.Load(ctx, key)
	s.mu.Lock()
	act := s.act
	if key != s.key {
		act = nil
	}
	if act != nil {
		s.act = nil
	}
	s.mu.Unlock()
	if act != nil {
		act()
	}
	return rec, found, err
}

// TestDestroySessionRacingRenew revokes a session (Manager.DestroySession,
// as an admin page or "your devices" does) while the session's own client
// renews its ID in a parallel request through Handler: an explicit Renew or
// a Login, which leave no grace alias behind, with and without automatic
// rotation configured. Whichever comes first, DestroySession must not
// report true while the session lives on under its new ID: either the
// session is gone, or DestroySession says it destroyed nothing.
func TestDestroySessionRacingRenew(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts sessions.Options
		act  func(*sessions.Session) error
	}{
		{"Renew", sessions.Options{}, func(s *sessions.Session) error { s.Renew(); return nil }},
		{"Login", sessions.Options{}, func(s *sessions.Session) error { return s.Login("alice") }},
		{"Renew with rotation on", sessions.Options{RotateAfter: time.Hour}, func(s *sessions.Session) error { s.Renew(); return nil }},
		{"Login with rotation on", sessions.Options{RotateAfter: time.Hour}, func(s *sessions.Session) error { return s.Login("alice") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mem := memory.New(memory.Options{})
			defer mem.Close()
			store := &actOnLoad{Store: mem}
			m, err := sessions.NewManager(store, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				s := m.Start(w, r)
				if r.URL.Path == "/login" {
					if err := s.Login("alice"); err != nil {
						t.Error(err)
					}
					return
				}
				s.Set("cart", 3)
				if err := tc.act(s); err != nil {
					t.Error(err)
				}
			}))
			res := serveCookie(h, "/login", nil).Result()
			if len(res.Cookies()) != 1 {
				t.Fatalf("login set %d cookies, want 1", len(res.Cookies()))
			}
			cookie := res.Cookies()[0]
			handle := sessions.KeyOf(cookie.Value)

			var renewed *http.Response
			store.mu.Lock()
			store.key = handle
			store.act = func() { renewed = serveCookie(h, "/renew", cookie).Result() }
			store.mu.Unlock()
			ok, err := m.DestroySession(t.Context(), "alice", handle)
			if err != nil {
				t.Fatalf("DestroySession: %v", err)
			}
			if renewed == nil {
				t.Fatal("the parallel renewal did not run")
			}
			cs := renewed.Cookies()
			if len(cs) != 1 || cs[0].Value == cookie.Value || cs[0].MaxAge < 0 {
				t.Fatalf("the parallel renewal set cookies %v, want one new ID", cs)
			}
			rec := httptest.NewRecorder()
			alive := false
			m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				alive = !m.Start(w, r).IsNew()
			})).ServeHTTP(rec, func() *http.Request {
				r := httptest.NewRequest(http.MethodGet, "/", nil)
				r.AddCookie(cs[0])
				return r
			}())
			if ok && alive {
				t.Errorf("DestroySession reported true, but the session lives on under the ID the parallel %s issued", tc.name)
			}
		})
	}
}
