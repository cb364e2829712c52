package sessions_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestCookieHeaderReadAsNetHTTP checks that the session cookie is read from
// the Cookie header as net/http reads it: a name with white space before
// its '=' is the name, and a value is everything after the first '=' (a
// padded base64 value of another cookie of the name is a second value, a
// duplicate). Each case also asserts what net/http itself reads.
func TestCookieHeaderReadAsNetHTTP(t *testing.T) {
	var dups atomic.Int32
	m, _ := newTestManager(t, sessions.Options{
		CookieName: "sid",
		OnEvent: func(_ context.Context, e sessions.Event) {
			if e.Kind == sessions.EventDuplicateCookie {
				dups.Add(1)
			}
		},
	})
	id := seedSession(t, m)
	for _, tc := range []struct {
		name   string
		header string
		dup    bool
	}{
		{"space before =", "sid =" + id, false},
		{"tab before =", "a=b; sid\t=" + id, false},
		{"second value with padding", "sid=" + id + "; sid=c2Vzc2lvbg==", true},
		{"second value holding =", "sid=" + id + "; sid=a=b", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.Header.Set("Cookie", tc.header)
			var theirs []string
			for _, c := range r.CookiesNamed("sid") {
				theirs = append(theirs, c.Value)
			}
			if !slices.Contains(theirs, id) || (len(theirs) > 1) != tc.dup {
				t.Fatalf("net/http reads %q from %q; the case assumes it reads the ID (and a second value: %v)", theirs, tc.header, tc.dup)
			}
			before := dups.Load()
			var got string
			m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got = m.Start(w, r).GetString("name")
			})).ServeHTTP(httptest.NewRecorder(), r)
			if got != "kataras" {
				t.Errorf("Cookie %q: the session read %q, want kataras (net/http reads %q)", tc.header, got, theirs)
			}
			if d := dups.Load() - before; (d == 1) != tc.dup || d > 1 {
				t.Errorf("Cookie %q: %d EventDuplicateCookie, want duplicate = %v (net/http reads %q)", tc.header, d, tc.dup, theirs)
			}
		})
	}
}
