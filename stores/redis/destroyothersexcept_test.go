package redis

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestDestroyOtherSessionsExceptUnreadable: "log out my other devices"
// still logs them out when the session to spare cannot be read (its
// record is corrupt: a format version this package does not know, or it
// is gone). Resolving except through a grace alias is a refinement that
// must not turn into a refusal to revoke.
func TestDestroyOtherSessionsExceptUnreadable(t *testing.T) {
	cases := []struct {
		name   string
		damage func(t *testing.T, store *Store, key string)
	}{
		{"corrupt format version", func(t *testing.T, store *Store, key string) {
			if err := store.c.HSet(context.Background(), store.hashKey(key), "m:v", "9").Err(); err != nil {
				t.Fatal(err)
			}
		}},
		{"deleted", func(t *testing.T, store *Store, key string) {
			if err := store.Delete(context.Background(), key); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, proto := range protocols {
		for _, tc := range cases {
			t.Run(proto.name+"/"+tc.name, func(t *testing.T) {
				store := newTestStore(t, sharedClient(t), proto.o)
				m, err := sessions.NewManager(store, sessions.Options{})
				if err != nil {
					t.Fatal(err)
				}
				srv := httptest.NewServer(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					s := m.Start(w, r)
					switch r.URL.Path {
					case "/login":
						if err := s.Login("alice"); err != nil {
							t.Error(err)
						}
					case "/me":
						io.WriteString(w, s.User())
					}
				})))
				defer srv.Close()
				login := func() string {
					t.Helper()
					res, err := srv.Client().Get(srv.URL + "/login")
					if err != nil {
						t.Fatal(err)
					}
					res.Body.Close()
					for _, c := range res.Cookies() {
						if c.Name == m.CookieName() {
							return c.Value
						}
					}
					t.Fatal("the login set no session cookie")
					return ""
				}
				_ = login()
				other := login()
				list, err := m.UserSessions(context.Background(), "alice")
				if err != nil || len(list) != 2 {
					t.Fatalf("UserSessions = %d sessions, %v; want 2", len(list), err)
				}
				except := list[0].Key
				if sessions.KeyOf(other) == except {
					except = list[1].Key
				}
				tc.damage(t, store, except)

				n, err := m.DestroyUserSessions(context.Background(), "alice", except)
				if err != nil || n != 1 {
					t.Errorf("DestroyUserSessions(alice, except an unreadable session) = %d, %v; want 1, nil", n, err)
				}
				req, _ := http.NewRequest(http.MethodGet, srv.URL+"/me", nil)
				req.AddCookie(&http.Cookie{Name: m.CookieName(), Value: other})
				res, err := srv.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if string(b) != "" {
					t.Errorf("the other device's session still serves user %q", b)
				}
			})
		}
	}
}
