package sessions_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestGuessingNATRepeatedDeadCookies checks that guessing detection counts
// each unknown ID a client presents once in the window, however many other
// IDs come in between: five returning users behind one address (a NAT),
// each browsing with the cookie of an expired session, present five
// different unknown IDs, under a Threshold of 10, so none is reported or
// blocked. The counter remembered a client's last four IDs only, so with
// five interleaved each repeat counted again.
func TestGuessingNATRepeatedDeadCookies(t *testing.T) {
	var mu sync.Mutex
	guessing := 0
	m, store := newTestManager(t, sessions.Options{
		Guessing: sessions.GuessingOptions{Threshold: 10, BlockCreation: true},
		OnEvent: func(_ context.Context, e sessions.Event) {
			if e.Kind == sessions.EventGuessing {
				mu.Lock()
				guessing++
				mu.Unlock()
			}
		},
	})
	var dead []string
	for range 5 {
		id := seedSession(t, m)
		if err := store.Delete(context.Background(), sessions.KeyOf(id)); err != nil {
			t.Fatal(err)
		}
		dead = append(dead, id)
	}
	// Each user reads three pages, interleaved as browsing behind a NAT is.
	for range 3 {
		for _, id := range dead {
			do(t, m, id, func(s *sessions.Session) { s.Get("name") })
		}
	}
	mu.Lock()
	n := guessing
	mu.Unlock()
	if n != 0 {
		t.Errorf("%d guessing events for 5 different dead cookies (threshold 10), want 0", n)
	}
	var err error
	res := do(t, m, dead[0], func(s *sessions.Session) { err = s.Login("alice") })
	if errors.Is(err, sessions.ErrCreationBlocked) || res.StatusCode == http.StatusTooManyRequests {
		t.Errorf("returning user's Login refused (err %v, status %d) after only 5 different unknown IDs from the client (threshold 10)", err, res.StatusCode)
	}
}
