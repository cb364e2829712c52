package sessions_test

import (
	"context"
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
)

// rotateOnLoad is a memory store on which a parallel request rotates the
// session under key (with a grace alias) just after the next Load of that
// key returns, the moment a revocation has checked the session and is
// about to delete it.
type rotateOnLoad struct {
	*memory.Store
	key     string
	rotated string // the key the session moved to
}

func (s *rotateOnLoad) Load(ctx context.Context, key string) (*sessions.Record, bool, error) {
	rec, found, err := s.Store.Load(ctx, key)
	if key == s.key && s.rotated == "" {
		s.rotated = sessions.KeyOf(rand.Text())
		if err := s.Store.Rename(context.Background(), key, s.rotated, 30*time.Second); err != nil {
			panic(err)
		}
	}
	return rec, found, err
}

// TestDestroySessionDuringRotation checks that DestroySession ends a
// session whose ID an automatic rotation replaces between the ownership
// check and the delete: the session must not live on under its new ID
// while DestroySession reports it destroyed.
func TestDestroySessionDuringRotation(t *testing.T) {
	mem := memory.New(memory.Options{})
	defer mem.Close()
	store := &rotateOnLoad{Store: mem}
	m, err := sessions.NewManager(store, sessions.Options{RotateAfter: time.Minute, RotateGrace: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	alice := loginAlice(t, m)
	store.key = alice

	ok, err := m.DestroySession(t.Context(), "alice", alice)
	if err != nil || !ok {
		t.Fatalf("DestroySession = %v, %v; want true, nil", ok, err)
	}
	if store.rotated == "" {
		t.Fatal("the session was not rotated during DestroySession")
	}
	if _, found, err := mem.Load(t.Context(), store.rotated); err != nil || found {
		t.Errorf("after DestroySession the session lives on under its new ID (found %v, err %v)", found, err)
	}
	if left, err := m.UserSessions(t.Context(), "alice"); err != nil || len(left) != 0 {
		t.Errorf("after DestroySession alice has %d sessions (err %v), want 0", len(left), err)
	}
}

// loginAlice logs alice in through m's middleware in a request of its own
// and returns the handle of her one session.
func loginAlice(t *testing.T, m *sessions.Manager) string {
	t.Helper()
	m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := m.Start(w, r).Login("alice"); err != nil {
			t.Error(err)
		}
	})).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	list, err := m.UserSessions(t.Context(), "alice")
	if err != nil || len(list) != 1 {
		t.Fatalf("UserSessions = %v, %v; want one session", list, err)
	}
	return list[0].Key
}
