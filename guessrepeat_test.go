package sessions_test

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestGuessingCountsDifferentIDs checks that guessing detection counts
// different unknown IDs, not requests: a returning user whose session has
// gone sends its dead cookie on every request until a new one replaces it,
// and must neither be reported as guessing nor, with BlockCreation, be
// refused the session a login creates. Different unknown IDs from one
// client still cross the threshold.
func TestGuessingCountsDifferentIDs(t *testing.T) {
	var mu sync.Mutex
	guessing := 0
	m, store := newTestManager(t, sessions.Options{
		Guessing: sessions.GuessingOptions{Threshold: 3, BlockCreation: true},
		OnEvent: func(_ context.Context, e sessions.Event) {
			if e.Kind == sessions.EventGuessing {
				mu.Lock()
				guessing++
				mu.Unlock()
			}
		},
	})
	guesses := func() int { mu.Lock(); defer mu.Unlock(); return guessing }
	// dead returns the ID of a session the store no longer holds.
	dead := func() string {
		id := seedSession(t, m)
		if err := store.Delete(context.Background(), sessions.KeyOf(id)); err != nil {
			t.Fatal(err)
		}
		return id
	}
	created := func(res *http.Response) bool {
		for _, c := range res.Cookies() {
			if c.Name == m.CookieName() && c.MaxAge >= 0 && c.Value != "" {
				return true
			}
		}
		return false
	}

	old := dead()
	for range 10 {
		do(t, m, old, func(s *sessions.Session) { s.Get("name") })
	}
	if n := guesses(); n != 0 {
		t.Fatalf("%d guessing events for one dead cookie sent 10 times, want 0", n)
	}
	if !created(do(t, m, old, func(s *sessions.Session) { s.Set("name", "back") })) {
		t.Fatal("a returning user with a dead cookie was refused a new session")
	}

	unknown := []string{dead(), dead(), dead(), dead()} // made before the client is blocked
	for _, id := range unknown[:3] {
		do(t, m, id, func(s *sessions.Session) { s.Get("name") })
	}
	if n := guesses(); n != 1 {
		t.Fatalf("%d guessing events for 3 different unknown IDs (threshold 3), want 1", n)
	}
	if created(do(t, m, unknown[3], func(s *sessions.Session) { s.Set("name", "x") })) {
		t.Error("BlockCreation: a client over the threshold got a new session")
	}
}
