package sessions_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestLateDestroyWithCookieStoreIsLostWrite ends a cookie-store session
// after the response has started. The session lives in the cookie, which
// can no longer change, so the logout is refused; Manager.Handler's doc
// says such a change is reported as an EventLostWrite (with
// ErrResponseStarted), as a late Set or Increment is. It must not be
// reported, and logged at error level, as a failing store: nothing failed
// in the store, and an operator paged for a store error finds none.
func TestLateDestroyWithCookieStoreIsLostWrite(t *testing.T) {
	var mu sync.Mutex
	var events []sessions.Event
	m, err := sessions.NewManager(newCookieStore(t), sessions.Options{OnEvent: func(_ context.Context, e sessions.Event) {
		mu.Lock()
		events = append(events, e)
		mu.Unlock()
	}})
	if err != nil {
		t.Fatal(err)
	}
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := m.Start(w, r)
		if r.URL.Path == "/seed" {
			s.Set("name", "alice")
			return
		}
		io.WriteString(w, "the response starts here")
		s.Destroy()
	}))
	seed := serveCookie(h, "/seed", nil).Result().Cookies()
	if len(seed) != 1 {
		t.Fatalf("seeding set %d cookies, want 1", len(seed))
	}
	mu.Lock()
	events = nil
	mu.Unlock()
	serveCookie(h, "/logout", seed[0])

	mu.Lock()
	defer mu.Unlock()
	lost := false
	for _, e := range events {
		switch e.Kind {
		case sessions.EventStoreError:
			t.Errorf("a late logout with the cookie store was reported as a store error: %v", e.Err)
		case sessions.EventLostWrite:
			lost = lost || errors.Is(e.Err, sessions.ErrResponseStarted)
		}
	}
	if !lost {
		t.Errorf("no EventLostWrite with ErrResponseStarted for the refused logout; events: %v", kinds(events))
	}
}

func kinds(es []sessions.Event) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Kind.String())
	}
	return out
}

// TestLateDestroyWithCookieStoreKeepsSession checks what the handler sees
// after a cookie-store logout refused because the response has started:
// the session it still has, as the client does, and as after any other
// refused late change (a refused late Set reads back the old value), not
// an empty session the client does not have.
func TestLateDestroyWithCookieStoreKeepsSession(t *testing.T) {
	m, err := sessions.NewManager(newCookieStore(t), sessions.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var id, user, name string
	var errAfter error
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := m.Start(w, r)
		if r.URL.Path == "/seed" {
			if err := s.Login("alice"); err != nil {
				t.Errorf("Login: %v", err)
			}
			s.Set("name", "kataras")
			return
		}
		before := s.ID()
		io.WriteString(w, "the response starts here")
		s.Destroy()
		id, user, name, errAfter = s.ID(), s.User(), s.GetString("name"), s.Err()
		if id != before {
			t.Errorf("ID after the refused late logout = %q, want the session's %q", id, before)
		}
	}))
	seed := serveCookie(h, "/seed", nil).Result().Cookies()
	if len(seed) != 1 {
		t.Fatalf("seeding set %d cookies, want 1", len(seed))
	}
	serveCookie(h, "/logout", seed[0])
	if id == "" || user != "alice" || name != "kataras" || errAfter != nil {
		t.Errorf("after the refused late logout the handler sees ID %q, user %q, name %q, Err %v; want the session the client still has (alice, kataras)", id, user, name, errAfter)
	}
}
