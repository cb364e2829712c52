package sessions_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestGuessingStaleCookiesRepeated checks that a client presenting the same
// few dead IDs on every request (a browser holding stale cookies of the
// session's name at several Paths sends them all, in turn) counts each ID
// once: repeated requests do not add up to EventGuessing, as long as the
// client's distinct IDs stay under the threshold.
func TestGuessingStaleCookiesRepeated(t *testing.T) {
	for _, n := range []int{2, 3, 4} {
		var guessing atomic.Int32
		m, store := newTestManager(t, sessions.Options{
			CookieName: "sid",
			Guessing:   sessions.GuessingOptions{Threshold: n + 1},
			OnEvent: func(_ context.Context, e sessions.Event) {
				if e.Kind == sessions.EventGuessing {
					guessing.Add(1)
				}
			},
		})
		header := ""
		for i := range n {
			id := seedSession(t, m)
			if err := store.Delete(context.Background(), sessions.KeyOf(id)); err != nil {
				t.Fatal(err)
			}
			if i > 0 {
				header += "; "
			}
			header += "sid=" + id
		}
		for range 10 {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.Header.Set("Cookie", header)
			m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				m.Start(w, r).Get("name")
			})).ServeHTTP(httptest.NewRecorder(), r)
		}
		if g := guessing.Load(); g != 0 {
			t.Errorf("%d dead cookies sent together on 10 requests (threshold %d): %d EventGuessing, want 0", n, n+1, g)
		}
	}
}
