package sessions_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestDestroyThenStartIsNoGuess follows the seed's "session id timeout"
// recipe without the middleware: Destroy, then Start for a fresh session
// in the same request. The request still carries the ID just destroyed;
// presenting it again is no guess. It must emit no EventInvalidID and
// count no miss, or a user who renews a few times a window is reported as
// guessing and, with BlockCreation, silently gets no session.
func TestDestroyThenStartIsNoGuess(t *testing.T) {
	var mu sync.Mutex
	var kinds []sessions.EventKind
	m, _ := newTestManager(t, sessions.Options{
		Guessing: sessions.GuessingOptions{Threshold: 3, BlockCreation: true},
		OnEvent: func(_ context.Context, e sessions.Event) {
			mu.Lock()
			kinds = append(kinds, e.Kind)
			mu.Unlock()
		},
	})
	id := seedSession(t, m)
	for round := range 5 {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.AddCookie(&http.Cookie{Name: m.CookieName(), Value: id})
		w := httptest.NewRecorder()
		if m.Start(w, r).GetString("name") == "" && round == 0 {
			t.Fatal("the seeded session was not found")
		}
		m.Destroy(w, r)
		s := m.Start(w, r)
		if s.Get("name") != nil {
			t.Fatalf("round %d: the session after Destroy still holds the old values", round)
		}
		s.Set("createtime", int64(round))
		cs := w.Result().Cookies()
		if len(cs) != 1 || cs[0].Value == "" || cs[0].Value == id {
			t.Fatalf("round %d: cookies %v; want the new session's cookie (the user got no session)", round, cs)
		}
		if got := s.GetInt64("createtime"); got != int64(round) {
			t.Errorf("round %d: createtime = %d", round, got)
		}
		id = cs[0].Value
	}
	mu.Lock()
	defer mu.Unlock()
	for _, k := range kinds {
		if k == sessions.EventInvalidID || k == sessions.EventGuessing {
			t.Fatalf("events %v; want no invalid-id or guessing for an ID the server itself just destroyed", kinds)
		}
	}
}
