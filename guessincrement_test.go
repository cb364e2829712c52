package sessions_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestIncrementBlockedCreationError checks what Increment on a new session
// returns to a client that GuessingOptions.BlockCreation refuses a session:
// ErrCreationBlocked, which says why and answers 429, not
// ErrStoreUnavailable, which would send the operator looking for a store
// outage and answer 503 (through the middleware and without it alike).
// The store holds no record for the blocked client.
func TestIncrementBlockedCreationError(t *testing.T) {
	for _, viaHandler := range []bool{true, false} {
		name := "Start"
		if viaHandler {
			name = "Handler"
		}
		t.Run(name, func(t *testing.T) {
			m, store := newTestManager(t, sessions.Options{
				Guessing: sessions.GuessingOptions{Threshold: 3, BlockCreation: true},
			})
			dead := func() string {
				id := seedSession(t, m)
				if err := store.Delete(context.Background(), sessions.KeyOf(id)); err != nil {
					t.Fatal(err)
				}
				return id
			}
			for range 3 { // three different unknown IDs cross the threshold
				do(t, m, dead(), func(s *sessions.Session) { s.Get("name") })
			}
			var n int64
			var err error
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			rec := httptest.NewRecorder()
			if viaHandler {
				m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					n, err = m.Start(w, r).Increment("visits", 1)
				})).ServeHTTP(rec, req)
			} else {
				n, err = m.Start(rec, req).Increment("visits", 1)
			}
			if errors.Is(err, sessions.ErrStoreUnavailable) || !errors.Is(err, sessions.ErrCreationBlocked) {
				t.Fatalf("Increment for a blocked client = %d, %v; want ErrCreationBlocked", n, err)
			}
			if len(rec.Result().Cookies()) != 0 {
				t.Errorf("the blocked client got cookies %v", rec.Result().Cookies())
			}
			w := httptest.NewRecorder()
			sessions.DefaultErrorHandler(w, req, err)
			if w.Code != http.StatusTooManyRequests {
				t.Errorf("DefaultErrorHandler answers ErrCreationBlocked with %d, want 429", w.Code)
			}
		})
	}
}
