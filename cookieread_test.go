package sessions_test

// Tests of how the session cookie is read from a request carrying several
// cookies of its name, and told apart from other Set-Cookie lines.

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestThirdSessionCookie: of several cookies of the session's name, the
// first value in header order that names a live session wins and unknown
// values are skipped (SECURITY.md S8), however many other values come
// first (another application's, or a stale cookie of the name the browser
// sends before ours because its Path is longer); malformed values cost no
// store call.
func TestThirdSessionCookie(t *testing.T) {
	m, _ := newTestManager(t, sessions.Options{CookieName: "sid"})
	id := seedSession(t, m)
	for _, header := range []string{
		"sid=other-app-1; sid=other-app-2; sid=" + id,
		"sid=x; sid=" + strings.Repeat("y", 5000) + "; sid=" + id,
		// Two well-formed IDs no session has, then the live one.
		"sid=" + strings.Repeat("A", 43) + "; sid=" + strings.Repeat("Q", 43) + "; sid=" + id,
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Cookie", header)
		var got string
		m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			got = m.Start(w, r).GetString("name")
		})).ServeHTTP(httptest.NewRecorder(), r)
		if got != "kataras" {
			t.Errorf("Cookie %.40q...: the live session (third value) was not found; handler read %q", header, got)
		}
	}
}

// TestForeignSetCookieOfSameName: the session's Set-Cookie replaces the
// session cookie's earlier lines in the response, and only those: a line
// the application added for a cookie of the same name at another Path
// (expiring one left from an earlier Path setting, say) stays, and without
// the middleware it is not taken for the session's own deletion.
func TestForeignSetCookieOfSameName(t *testing.T) {
	legacy := &http.Cookie{Name: "sid", Path: "/legacy", MaxAge: -1, Secure: true, HttpOnly: true}
	t.Run("middleware keeps the application's line", func(t *testing.T) {
		m, _ := newTestManager(t, sessions.Options{CookieName: "sid"})
		w := httptest.NewRecorder()
		m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.SetCookie(w, legacy)
			m.Start(w, r).Set("k", "v")
		})).ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
		lines := w.Result().Header.Values("Set-Cookie")
		found := false
		for _, l := range lines {
			found = found || strings.Contains(l, "Path=/legacy")
		}
		if len(lines) != 2 || !found {
			t.Errorf("Set-Cookie lines %q; want the application's Path=/legacy deletion and the session cookie", lines)
		}
	})
	t.Run("write-through reads the session", func(t *testing.T) {
		m, _ := newTestManager(t, sessions.Options{CookieName: "sid"})
		id := seedSession(t, m)
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.AddCookie(&http.Cookie{Name: "sid", Value: id})
		w := httptest.NewRecorder()
		http.SetCookie(w, legacy)
		if got := m.Start(w, r).GetString("name"); got != "kataras" {
			t.Errorf("after the application expired sid at Path=/legacy, Start read %q from the live session, want kataras", got)
		}
	})
}
