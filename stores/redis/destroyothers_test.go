package redis

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// TestDestroyOtherSessionsSparesCurrentRotatedMeanwhile is the root
// module's test of the same name on Redis, in both protocols: "log out my
// other devices" from a request whose session a parallel request rotated
// after it was loaded spares the session under its new ID. The manager's
// clock runs ahead of Redis's to make the rotation due; Redis's own TTLs
// (the grace alias) run on real time.
func TestDestroyOtherSessionsSparesCurrentRotatedMeanwhile(t *testing.T) {
	for _, proto := range protocols {
		t.Run(proto.name, func(t *testing.T) {
			store := newTestStore(t, sharedClient(t), proto.o)
			var ahead atomic.Int64
			m, err := sessions.NewManager(store, sessions.Options{
				RotateAfter: 2 * time.Minute,
				Now:         func() time.Time { return time.Now().Add(time.Duration(ahead.Load())) },
			})
			if err != nil {
				t.Fatal(err)
			}
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
			get := func(path, id string) (string, string) {
				t.Helper()
				req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
				if id != "" {
					req.AddCookie(&http.Cookie{Name: m.CookieName(), Value: id})
				}
				res, err := srv.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer res.Body.Close()
				b, _ := io.ReadAll(res.Body)
				for _, c := range res.Cookies() {
					if c.Name == m.CookieName() {
						return string(b), c.Value
					}
				}
				return string(b), ""
			}

			_, this := get("/login", "")
			_, other := get("/login", "")
			if this == "" || other == "" {
				t.Fatal("a login set no session cookie")
			}
			ahead.Store(int64(3 * time.Minute)) // both IDs are due for rotation

			done := make(chan struct{})
			go func() {
				defer close(done)
				get("/logout-others", this)
			}()
			<-loaded
			_, rotated := get("/me", this) // a parallel request rotates the ID
			if rotated == "" || rotated == this {
				t.Fatal("the parallel request did not rotate the session's ID")
			}
			close(release)
			<-done

			if n := <-destroyed; n != 1 {
				t.Errorf("DestroyUserSessions destroyed %d sessions, want 1 (the other device)", n)
			}
			if got, _ := get("/me", rotated); got != "alice" {
				t.Errorf("the current session, under its rotated ID, serves user %q after logging out the other devices, want alice", got)
			}
			if got, _ := get("/me", other); got != "" {
				t.Errorf("the other device's session still serves user %q", got)
			}
		})
	}
}
