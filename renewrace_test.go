package sessions_test

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// TestLoginAfterParallelRotation logs in on a request that loaded its
// session just before a parallel request rotated the session's ID: the
// loaded key is a grace alias by the time the login renews the ID. The
// login must land on the rotated session (and its response carry the new
// cookie) instead of being dropped as a lost write.
func TestLoginAfterParallelRotation(t *testing.T) {
	for _, op := range []string{"login", "renew"} {
		t.Run(op, func(t *testing.T) {
			m, _, now := newClockedManager(t, sessions.Options{RotateAfter: time.Minute, RotateGrace: 30 * time.Second})
			var h http.Handler
			serve := func(path string, c *http.Cookie) *httptest.ResponseRecorder { return serveCookie(h, path, c) }
			var first *http.Cookie
			var parallel *httptest.ResponseRecorder
			h = m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				s := m.Start(w, r)
				switch r.URL.Path {
				case "/new":
					s.Set("cart", 3)
				case "/act":
					s.Get("cart") // loaded under the first ID
					parallel = serve("/read", first)
					if op == "login" {
						if err := s.Login("bob"); err != nil {
							t.Error(err)
						}
					} else {
						s.Renew()
					}
				default:
					w.Write([]byte(s.User() + "/" + strconv.Itoa(s.GetInt("cart"))))
				}
			}))
			res := serve("/new", nil).Result()
			if len(res.Cookies()) != 1 {
				t.Fatalf("/new set %d cookies, want 1", len(res.Cookies()))
			}
			first = res.Cookies()[0]
			now.Add(int64(2 * time.Minute)) // the ID is due for rotation

			act := serve("/act", first).Result()
			if c := parallel.Result().Cookies(); len(c) != 1 || c[0].Value == first.Value {
				t.Fatalf("the parallel request did not rotate the ID: %v", c)
			}
			cookies := act.Cookies()
			if len(cookies) != 1 || cookies[0].Value == first.Value || cookies[0].MaxAge < 0 {
				t.Fatalf("the %s response set cookies %v, want one new ID", op, cookies)
			}
			got := serve("/me", cookies[0]).Body.String()
			want := "bob/0" // a login keeps no values by default
			if op == "renew" {
				want = "/3"
			}
			if got != want {
				t.Errorf("after the %s the session reads %q, want %q", op, got, want)
			}
		})
	}
}
