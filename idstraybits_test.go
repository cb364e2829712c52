package sessions_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestIDStrayBitsMalformed checks that a cookie value whose last character
// carries any of the two bits 32 random bytes leave unused ('B', 'C', 'D'
// after 42 'A's: the low bit, the high bit, both) is no ID the package
// issues: it is reported as malformed and costs no store lookup.
func TestIDStrayBitsMalformed(t *testing.T) {
	var malformed atomic.Int32
	m, store := newTestManager(t, sessions.Options{
		CookieName: "sid",
		OnEvent: func(_ context.Context, e sessions.Event) {
			if e.Kind == sessions.EventMalformedID {
				malformed.Add(1)
			}
		},
	})
	const base = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" // 42 characters
	for _, tc := range []struct {
		last      string
		malformed bool
	}{
		{"A", false}, {"E", false}, {"w", false},
		{"B", true}, {"C", true}, {"D", true}, {"_", true},
	} {
		t.Run(tc.last, func(t *testing.T) {
			loads, events := store.loads.Load(), malformed.Load()
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.Header.Set("Cookie", "sid="+base+tc.last)
			m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				m.Start(w, r).Get("k")
			})).ServeHTTP(httptest.NewRecorder(), r)
			gotLoads, gotEvents := store.loads.Load()-loads, malformed.Load()-events
			if tc.malformed && (gotLoads != 0 || gotEvents != 1) {
				t.Errorf("ID ending %q: %d store lookups, %d EventMalformedID; want 0 lookups and the event (stray bits set)", tc.last, gotLoads, gotEvents)
			}
			if !tc.malformed && (gotLoads != 1 || gotEvents != 0) {
				t.Errorf("ID ending %q: %d store lookups, %d EventMalformedID; want 1 lookup and no event (a well-formed ID)", tc.last, gotLoads, gotEvents)
			}
		})
	}
}
