package sessions_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// TestDestroyOtherSessionsSparesCurrentRotatedMeanwhile checks "log out my
// other devices" (DestroyUserSessions with the current session's ID as
// except) when a parallel request of the same client rotated the session's
// ID after this request loaded it: the handle the request holds is then a
// grace alias, and the session it leads to is still the current one, which
// must survive while the other device's is destroyed.
func TestDestroyOtherSessionsSparesCurrentRotatedMeanwhile(t *testing.T) {
	m, _, now := newClockedManager(t, sessions.Options{RotateAfter: 2 * time.Minute})
	loaded, release := make(chan struct{}), make(chan struct{})
	destroyed := make(chan int, 1)
	srv := httptest.NewServer(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := m.Start(w, r)
		switch r.URL.Path {
		case "/login":
			if err := s.Login("alice"); err != nil {
				t.Error(err)
			}
		case "/logout-others":
			user, current := s.User(), s.ID()
			close(loaded)
			<-release
			n, err := m.DestroyUserSessions(r.Context(), user, current)
			if err != nil {
				t.Error(err)
			}
			destroyed <- n
		case "/me":
			io.WriteString(w, s.User())
		}
	})))
	defer srv.Close()

	_, res := lifeGet(t, srv, m, "/login", "")
	this := sessionCookie(t, m, res).Value
	_, res = lifeGet(t, srv, m, "/login", "")
	other := sessionCookie(t, m, res).Value
	now.Add(int64(3 * time.Minute)) // both IDs are due for rotation

	done := make(chan struct{})
	go func() {
		defer close(done)
		lifeGet(t, srv, m, "/logout-others", this)
	}()
	<-loaded
	_, res = lifeGet(t, srv, m, "/me", this) // a parallel request rotates the ID
	rotated := sessionCookie(t, m, res).Value
	if rotated == this {
		t.Fatal("the parallel request did not rotate the session's ID")
	}
	close(release)
	<-done

	if n := <-destroyed; n != 1 {
		t.Errorf("DestroyUserSessions destroyed %d sessions, want 1 (the other device)", n)
	}
	if got, _ := lifeGet(t, srv, m, "/me", rotated); got != "alice" {
		t.Errorf("the current session, under its rotated ID, serves user %q after logging out the other devices, want alice", got)
	}
	if got, _ := lifeGet(t, srv, m, "/me", other); got != "" {
		t.Errorf("the other device's session still serves user %q", got)
	}
}
