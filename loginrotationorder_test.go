package sessions_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// TestLoginAfterRotationEndsRotatedID pins what a Login racing an
// automatic rotation of its own session does to the ID that rotation
// issued: the login renews the rotated session (so it is not lost), and
// the rotated ID dies with the old one. That ID went out in the parallel
// response, whose holder may be an attacker who planted the pre-login ID
// and sent the rotating request themselves; a login that kept it working
// would hand them the logged-in session. The price, listed under the
// known limitations in SECURITY.md: a client that receives the rotating
// response after the login's is left with a dead cookie and is logged out.
func TestLoginAfterRotationEndsRotatedID(t *testing.T) {
	m, _, now := newClockedManager(t, sessions.Options{RotateAfter: time.Minute, RotateGrace: 30 * time.Second})
	var h http.Handler
	var first *http.Cookie
	var rotating *http.Response
	h = m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := m.Start(w, r)
		switch r.URL.Path {
		case "/new":
			s.Set("cart", 3)
		case "/login":
			s.Get("cart") // loaded under the first ID
			rotating = serveCookie(h, "/read", first).Result()
			if err := s.Login("bob"); err != nil {
				t.Error(err)
			}
		default:
			w.Write([]byte(s.User() + "/" + strconv.Itoa(s.GetInt("cart"))))
		}
	}))
	first = serveCookie(h, "/new", nil).Result().Cookies()[0]
	now.Add(int64(2 * time.Minute)) // the ID is due for rotation

	login := serveCookie(h, "/login", first).Result().Cookies()
	rotated := rotating.Cookies()
	if len(rotated) != 1 || rotated[0].Value == first.Value {
		t.Fatalf("the parallel request did not rotate the ID: %v", rotated)
	}
	if len(login) != 1 || login[0].Value == first.Value || login[0].Value == rotated[0].Value {
		t.Fatalf("the login set cookies %v, want one ID of its own", login)
	}
	for _, tc := range []struct {
		name string
		c    *http.Cookie
		want string
	}{
		{"the login's ID", login[0], "bob/0"},
		{"the rotated ID", rotated[0], "/0"},
		{"the pre-login ID", first, "/0"},
	} {
		if got := serveCookie(h, "/me", tc.c).Body.String(); got != tc.want {
			t.Errorf("%s reads %q, want %q", tc.name, got, tc.want)
		}
	}
}
