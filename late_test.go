package sessions_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
)

// TestChangesAfterResponseStarted checks what a handler under Handler gets
// for changing its session after the response's first byte, when the
// middleware has already committed: a change the store alone can carry
// (values, a logout) is written at once; one that needs a new cookie (a
// new session, Login, Renew) is refused with ErrResponseStarted or an
// EventLostWrite, and the session is left as it was. Nothing is lost
// without a word.
func TestChangesAfterResponseStarted(t *testing.T) {
	for _, tc := range []struct {
		name    string
		seeded  bool // the request carries a stored session
		act     func(t *testing.T, s *sessions.Session)
		lost    bool   // an EventLostWrite with ErrResponseStarted is emitted
		want    string // what the next request with the same cookie reads: user/name
		wantLen int    // sessions in the store after
	}{
		{
			name:   "set",
			seeded: true,
			act:    func(t *testing.T, s *sessions.Session) { s.Set("name", "late") },
			want:   "alice/late", wantLen: 1,
		},
		{
			name:   "destroy",
			seeded: true,
			act:    func(t *testing.T, s *sessions.Session) { s.Destroy() },
			want:   "/", wantLen: 0,
		},
		{
			name:   "login",
			seeded: true,
			act: func(t *testing.T, s *sessions.Session) {
				if err := s.Login("bob"); !errors.Is(err, sessions.ErrResponseStarted) {
					t.Errorf("Login after the first byte: %v, want ErrResponseStarted", err)
				}
			},
			want: "alice/early", wantLen: 1,
		},
		{
			name:   "renew",
			seeded: true,
			act:    func(t *testing.T, s *sessions.Session) { s.Renew() },
			lost:   true,
			want:   "alice/early", wantLen: 1,
		},
		{
			name: "new session",
			act:  func(t *testing.T, s *sessions.Session) { s.Set("name", "late") },
			lost: true,
			want: "/", wantLen: 0,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store := memory.New(memory.Options{})
			defer store.Close()
			var mu sync.Mutex
			var lost []error
			m, err := sessions.NewManager(store, sessions.Options{OnEvent: func(_ context.Context, e sessions.Event) {
				if e.Kind == sessions.EventLostWrite {
					mu.Lock()
					lost = append(lost, e.Err)
					mu.Unlock()
				}
			}})
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				s := m.Start(w, r)
				switch r.URL.Path {
				case "/seed":
					if err := s.Login("alice"); err != nil {
						t.Error(err)
					}
					s.Set("name", "early")
				case "/act":
					io.WriteString(w, "the response starts here; ")
					tc.act(t, s)
				default:
					io.WriteString(w, s.User()+"/"+s.GetString("name"))
				}
			}))
			var cookie *http.Cookie
			if tc.seeded {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/seed", nil))
				c := w.Result().Cookies()
				if len(c) != 1 {
					t.Fatalf("seeding set %d cookies, want 1", len(c))
				}
				cookie = c[0]
			}
			serve := func(path string) *httptest.ResponseRecorder { return serveCookie(h, path, cookie) }
			if w := serve("/act"); !strings.HasPrefix(w.Body.String(), "the response starts here") {
				t.Fatalf("the handler's response was replaced: %d %q", w.Code, w.Body.String())
			}
			if got := serve("/read").Body.String(); got != tc.want {
				t.Errorf("the next request reads %q, want %q", got, tc.want)
			}
			if store.Len() != tc.wantLen {
				t.Errorf("the store holds %d sessions, want %d", store.Len(), tc.wantLen)
			}
			mu.Lock()
			defer mu.Unlock()
			if tc.lost != (len(lost) > 0) {
				t.Errorf("lost-write events %v, want some: %v", lost, tc.lost)
			}
			for _, err := range lost {
				if !errors.Is(err, sessions.ErrResponseStarted) {
					t.Errorf("lost-write event with error %v, want ErrResponseStarted", err)
				}
			}
		})
	}
}

// TestLateUseOfRotationDueSession first uses a session whose ID rotation
// is due after the response has started: the rotation cannot reach the
// client then, so it waits for a later request, and the handler's value
// is stored under the ID the client holds (still its ID once a rotation's
// grace would have passed), with no event.
func TestLateUseOfRotationDueSession(t *testing.T) {
	var mu sync.Mutex
	var events []sessions.EventKind
	m, _, now := newClockedManager(t, sessions.Options{
		RotateAfter: time.Minute,
		OnEvent: func(_ context.Context, e sessions.Event) {
			if e.Kind == sessions.EventLostWrite || e.Kind == sessions.EventStoreError {
				mu.Lock()
				events = append(events, e.Kind)
				mu.Unlock()
			}
		},
	})
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/act" {
			io.WriteString(w, "the response starts here; ")
		}
		s := m.Start(w, r)
		switch r.URL.Path {
		case "/seed":
			if err := s.Login("alice"); err != nil {
				t.Error(err)
			}
		case "/act":
			s.Set("name", "late")
		default:
			io.WriteString(w, s.User()+"/"+s.GetString("name"))
		}
	}))
	serve := func(path string, c *http.Cookie) *httptest.ResponseRecorder { return serveCookie(h, path, c) }
	seeded := serve("/seed", nil).Result().Cookies()
	if len(seeded) != 1 {
		t.Fatalf("seeding set %d cookies, want 1", len(seeded))
	}
	now.Add(int64(2 * time.Minute))
	if cs := serve("/act", seeded[0]).Result().Cookies(); len(cs) != 0 {
		t.Errorf("the late use set cookies %v, want none: the response had started", cs)
	}
	// Past a rotation's grace: had the late use renamed the session, the
	// client's ID would no longer reach it.
	now.Add(int64(time.Minute))
	if got := serve("/read", seeded[0]).Body.String(); got != "alice/late" {
		t.Errorf("the next request, past a rotation's grace, reads %q, want alice/late", got)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(events) != 0 {
		t.Errorf("events %v, want none", events)
	}
}
