package sessions_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// TestSnapshotNotWritten checks that a request changing a session's
// metadata leaves the record it loaded alone until the commit. The memory
// store hands every request the record it holds, so the session reads its
// metadata from that shared snapshot and must copy it before a change:
// written in place, the change would show to every other request, and
// would be stored before (or without) the commit. A commit replaces the
// snapshot; it never writes it either.
func TestSnapshotNotWritten(t *testing.T) {
	for _, tc := range []struct {
		name    string
		advance time.Duration // clock moved before the request
		act     func(t *testing.T, s *sessions.Session)
		changed func(before, after *sessions.Meta) bool // what the commit must store
	}{
		{
			name:    "touch",
			advance: 2 * time.Minute,
			act:     func(t *testing.T, s *sessions.Session) { s.Get("n") },
			changed: func(b, a *sessions.Meta) bool { return a.LastSeen > b.LastSeen },
		},
		{
			name:    "touch on write",
			advance: 2 * time.Minute,
			act:     func(t *testing.T, s *sessions.Session) { s.Set("n", 2) },
			changed: func(b, a *sessions.Meta) bool { return a.LastSeen > b.LastSeen },
		},
		{
			name: "csrf secret",
			act: func(t *testing.T, s *sessions.Session) {
				if s.CSRFToken() == "" {
					t.Error("CSRFToken is empty")
				}
			},
			changed: func(b, a *sessions.Meta) bool { return b.CSRF == "" && a.CSRF != "" },
		},
		{
			name:    "login",
			advance: time.Second,
			act: func(t *testing.T, s *sessions.Session) {
				if err := s.Login("bob"); err != nil {
					t.Error(err)
				}
			},
			changed: func(b, a *sessions.Meta) bool { return a.User == "bob" && a.AuthTime > b.AuthTime },
		},
		{
			name:    "rotation",
			advance: 2 * time.Hour,
			act:     func(t *testing.T, s *sessions.Session) { s.Get("n") },
			changed: func(b, a *sessions.Meta) bool { return a.Renewed > b.Renewed },
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, store, now := newClockedManager(t, sessions.Options{
				TouchInterval: time.Minute,
				RotateAfter:   time.Hour,
				RotateGrace:   time.Minute,
				IdleTimeout:   24 * time.Hour,
				Lifetime:      48 * time.Hour,
			})

			var key string
			var before sessions.Meta
			var seen *sessions.Record // the snapshot the request loaded
			h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				s := m.Start(w, r)
				if r.URL.Path == "/seed" {
					s.Set("n", 1)
					return
				}
				key = s.ID() // the store key
				rec, found, err := store.Load(r.Context(), key)
				if err != nil || !found {
					t.Fatalf("loading the seeded record: found %v, err %v", found, err)
				}
				before, seen = rec.Meta, rec
				tc.act(t, s)
				rec, found, err = store.Load(r.Context(), key)
				if err != nil || !found {
					t.Fatalf("loading the record after the change: found %v, err %v", found, err)
				}
				if rec.Meta != before {
					t.Errorf("the stored metadata changed before the commit:\nbefore %+v\nnow    %+v", before, rec.Meta)
				}
			}))

			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/seed", nil))
			cookies := w.Result().Cookies()
			if len(cookies) != 1 {
				t.Fatalf("seeding request set %d cookies, want 1", len(cookies))
			}
			now.Add(int64(tc.advance))
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.AddCookie(cookies[0])
			w = httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != http.StatusOK {
				t.Fatalf("request answered %d", w.Code)
			}

			// The commit replaced the snapshot instead of writing it.
			if seen.Meta != before {
				t.Errorf("the loaded snapshot was written:\nbefore %+v\nnow    %+v", before, seen.Meta)
			}
			// The commit stored the change, under the session's key or the
			// one a renewal moved it to.
			if c := w.Result().Cookies(); len(c) == 1 && c[0].Value != "" {
				key = sessions.KeyOf(c[0].Value)
			}
			rec, found, err := store.Load(t.Context(), key)
			if err != nil || !found {
				t.Fatalf("loading the committed record: found %v, err %v", found, err)
			}
			if !tc.changed(&before, &rec.Meta) {
				t.Errorf("the commit did not store the change:\nbefore %+v\nafter  %+v", before, rec.Meta)
			}
		})
	}
}
