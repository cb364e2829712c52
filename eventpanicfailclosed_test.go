package sessions_test

import (
	"context"
	"log/slog"
	"net/http"
	"testing"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
)

// TestRecoveredStoreErrorPanicFailsClosed checks that a failed middleware
// commit is answered by Options.ErrorHandler alone even when OnEvent
// panics on the EventStoreError it reports and a recovering middleware
// inside Handler (chi's Recoverer) then writes its 500: the handler's
// headers and cookies, prepared for a session that was not stored, must
// not reach the client, as Handler promises for a failing store.
func TestRecoveredStoreErrorPanicFailsClosed(t *testing.T) {
	mem := memory.New(memory.Options{})
	defer mem.Close()
	store := &failingStore{Store: mem}
	m, err := sessions.NewManager(store, sessions.Options{Logger: slog.New(slog.DiscardHandler), OnEvent: func(_ context.Context, e sessions.Event) {
		if e.Kind == sessions.EventStoreError {
			panic("event sink failed")
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	id := seedSession(t, m)
	store.mu.Lock()
	store.fail = map[string]bool{"commit": true}
	store.mu.Unlock()

	h := m.Handler(recover500(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Account", "alice")
		http.SetCookie(w, &http.Cookie{Name: "remember", Value: "1"})
		m.Start(w, r).Set("cart", 3)
		w.Write([]byte("cart saved"))
	})))
	res := serveCookie(h, "/", &http.Cookie{Name: m.CookieName(), Value: id}).Result()
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("status %d, want the error handler's 503", res.StatusCode)
	}
	if v := res.Header.Get("X-Account"); v != "" || len(res.Cookies()) != 0 {
		t.Errorf("the answer carries the handler's X-Account %q and cookies %q, want neither", v, res.Header.Values("Set-Cookie"))
	}
}
