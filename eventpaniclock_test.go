package sessions_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// TestOnEventPanicLeavesSessionUsable checks that an Options.OnEvent that
// panics during the middleware's commit (here on the EventCreated of the
// first Write) leaves the session unlocked. A recovering middleware
// inside Handler (chi's Recoverer, gin.Recovery, echo's Recover) answers
// the panic, and code after it, such as an access log reading the user,
// still uses the session: it must not block forever on the session's lock.
func TestOnEventPanicLeavesSessionUsable(t *testing.T) {
	m, _ := newTestManager(t, sessions.Options{
		OnEvent: func(_ context.Context, e sessions.Event) {
			if e.Kind == sessions.EventCreated {
				panic("event sink failed")
			}
		},
	})
	done := make(chan struct{})
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := m.Start(w, r)
		s.Set("user", "ann")
		func() {
			defer func() { recover() }()
			w.Write([]byte("hello"))
		}()
		go func() {
			s.GetString("user")
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(2 * time.Second):
			t.Error("the session is still locked 2s after OnEvent panicked in the commit")
		}
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
}
