package sessions_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestStartFollowsLastSetCookie checks that without the middleware, a Start
// after the response already carries several Set-Cookie lines for the
// session cookie follows the last one, the line a browser keeps: here the
// application expired the cookie after the session was stored, so the
// client has no session and Start gives a new one.
func TestStartFollowsLastSetCookie(t *testing.T) {
	m, _ := newTestManager(t, sessions.Options{CookieName: "sid"})
	w := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	s := m.Start(w, r)
	s.Set("name", "kataras")
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	http.SetCookie(w, &http.Cookie{Name: "sid", Path: "/", MaxAge: -1, Secure: true, HttpOnly: true})
	if n := len(w.Header().Values("Set-Cookie")); n != 2 {
		t.Fatalf("%d Set-Cookie lines, want the session's and the application's expiry", n)
	}
	next := m.Start(w, r)
	if got := next.GetString("name"); got != "" || !next.IsNew() {
		t.Errorf("after the application expired the session cookie, Start read name = %q (IsNew %v); want a new, empty session", got, next.IsNew())
	}
}
