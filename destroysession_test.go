package sessions_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
)

// TestDestroySessionAfterRotation revokes a session by the handle a
// "your devices" page listed before the session's ID was rotated: within
// the rotation's grace the handle is an alias, and revoking it must end
// the session under its new ID, not just the alias.
func TestDestroySessionAfterRotation(t *testing.T) {
	m, _, now := newClockedManager(t, sessions.Options{RotateAfter: time.Minute, RotateGrace: 30 * time.Second})
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := m.Start(w, r)
		if r.URL.Path == "/login" {
			if err := s.Login("alice"); err != nil {
				t.Error(err)
			}
			return
		}
		w.Write([]byte(s.User()))
	}))
	serve := func(path string, c *http.Cookie) *http.Response { return serveCookie(h, path, c).Result() }
	cookie := func(res *http.Response) *http.Cookie {
		t.Helper()
		c := res.Cookies()
		if len(c) != 1 {
			t.Fatalf("response set %d cookies, want 1", len(c))
		}
		return c[0]
	}

	first := cookie(serve("/login", nil))
	list, err := m.UserSessions(t.Context(), "alice")
	if err != nil || len(list) != 1 {
		t.Fatalf("UserSessions = %v, %v; want one session", list, err)
	}
	handle := list[0].Key
	now.Add(int64(2 * time.Minute))
	rotated := cookie(serve("/me", first)) // the ID is rotated
	if rotated.Value == first.Value {
		t.Fatal("the session was not rotated")
	}

	ok, err := m.DestroySession(t.Context(), "alice", handle)
	if err != nil || !ok {
		t.Fatalf("DestroySession(old handle) = %v, %v; want true, nil", ok, err)
	}
	body, _ := io.ReadAll(serve("/me", rotated).Body)
	if user := string(body); user != "" {
		t.Errorf("after DestroySession the rotated session still serves %q", user)
	}
	if list, _ := m.UserSessions(t.Context(), "alice"); len(list) != 0 {
		t.Errorf("alice still has %d sessions", len(list))
	}
}

// TestLogoutOutlivesClient ends a session in a handler whose client goes
// away before the response: the request's context is cancelled by the
// time the middleware commits, and the logout must still reach the store.
func TestLogoutOutlivesClient(t *testing.T) {
	m, _ := newTestManager(t, sessions.Options{})
	var cancel context.CancelFunc
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := m.Start(w, r)
		switch r.URL.Path {
		case "/login":
			if err := s.Login("alice"); err != nil {
				t.Error(err)
			}
		case "/logout":
			s.Destroy()
			cancel() // the client hangs up
		default:
			w.Write([]byte(s.User()))
		}
	}))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/login", nil))
	cookies := w.Result().Cookies()
	if len(cookies) != 1 {
		t.Fatalf("login set %d cookies, want 1", len(cookies))
	}

	r := httptest.NewRequest(http.MethodGet, "/logout", nil)
	ctx, cf := context.WithCancel(r.Context())
	cancel = cf
	r = r.WithContext(ctx)
	r.AddCookie(cookies[0])
	h.ServeHTTP(httptest.NewRecorder(), r)

	r = httptest.NewRequest(http.MethodGet, "/", nil)
	r.AddCookie(cookies[0])
	w = httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if user := w.Body.String(); user != "" {
		t.Errorf("after a logout whose client hung up, the old cookie still serves %q", user)
	}
}

// rotatingStore is the memory store with a DeleteUserSessions that lists
// the user's sessions and, before deleting them, lets a parallel request
// renew the first one's ID once: the race a "log out everywhere" meets
// when one of the user's devices rotates its session at that moment.
type rotatingStore struct {
	*memory.Store
	rotated bool
}

func (s *rotatingStore) DeleteUserSessions(ctx context.Context, user, except string) (int, error) {
	list, err := s.UserSessions(ctx, user)
	if err != nil {
		return 0, err
	}
	if !s.rotated && len(list) > 0 && list[0].Key != except {
		s.rotated = true
		renewed := sessions.KeyOf(strings.Repeat("r", 43))
		if err := s.Rename(ctx, list[0].Key, renewed, 30*time.Second); err != nil {
			return 0, err
		}
	}
	n := 0
	for _, in := range list {
		if in.Key == except {
			continue
		}
		if err := s.Delete(ctx, in.Key); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// TestDestroyUserSessionsDuringRotation checks that "log out everywhere"
// also ends a session whose ID was renewed while the store deleted the
// user's sessions.
func TestDestroyUserSessionsDuringRotation(t *testing.T) {
	mem := memory.New(memory.Options{})
	defer mem.Close()
	store := &rotatingStore{Store: mem}
	m, err := sessions.NewManager(store, sessions.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := m.Start(w, r).Login("alice"); err != nil {
			t.Error(err)
		}
	}))
	for range 3 {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	}
	if _, err := m.DestroyUserSessions(t.Context(), "alice", ""); err != nil {
		t.Fatal(err)
	}
	if !store.rotated {
		t.Fatal("no session was renewed during the deletion")
	}
	if left, err := m.UserSessions(t.Context(), "alice"); err != nil || len(left) != 0 {
		t.Errorf("after DestroyUserSessions alice has %d sessions (err %v), want 0", len(left), err)
	}
}
