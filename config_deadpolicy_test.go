package sessions_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestPolicyWithoutItsOption: a policy says what happens when another
// option fires: BindPolicy on a Bind mismatch, Guessing.BlockCreation over
// Guessing.Threshold, LimitPolicy at MaxPerUser. Set without that option
// it never applies: the application believes a stolen cookie kills its
// session, guessers are refused sessions or logins past a cap are refused,
// and none of it happens. NewManager refuses each with an ErrConfig naming
// the missing option, as it refuses RotateGrace without RotateAfter.
func TestPolicyWithoutItsOption(t *testing.T) {
	for _, tc := range []struct {
		name  string
		opts  sessions.Options
		field string
		// run shows what the accepted options do, and says so as a failure.
		run func(t *testing.T, m *sessions.Manager, store sessions.Store)
	}{
		{
			name:  "BindDestroy without Bind",
			opts:  sessions.Options{BindPolicy: sessions.BindDestroy},
			field: "Options.Bind",
			run: func(t *testing.T, m *sessions.Manager, _ sessions.Store) {
				id := seedSession(t, m)
				r := httptest.NewRequest(http.MethodGet, "/", nil)
				r.Header.Set("User-Agent", "curl/8.5.0")
				r.AddCookie(&http.Cookie{Name: m.CookieName(), Value: id})
				var got string
				m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					got = m.Start(w, r).GetString("name")
				})).ServeHTTP(httptest.NewRecorder(), r)
				t.Errorf("NewManager accepted BindPolicy BindDestroy without Bind; the cookie replayed from another client read %q, and no binding was ever checked", got)
			},
		},
		{
			name:  "BlockCreation without Threshold",
			opts:  sessions.Options{Guessing: sessions.GuessingOptions{BlockCreation: true}},
			field: "Guessing.Threshold",
			run: func(t *testing.T, m *sessions.Manager, store sessions.Store) {
				for range 50 {
					id := seedSession(t, m)
					if err := store.Delete(context.Background(), sessions.KeyOf(id)); err != nil {
						t.Fatal(err)
					}
					do(t, m, id, func(s *sessions.Session) { s.Get("name") })
				}
				seedSession(t, m)
				t.Errorf("NewManager accepted Guessing.BlockCreation without Threshold; a client that presented 50 unknown IDs still got a new session")
			},
		},
		{
			name:  "LimitReject without MaxPerUser",
			opts:  sessions.Options{LimitPolicy: sessions.LimitReject},
			field: "Options.MaxPerUser",
			run: func(t *testing.T, m *sessions.Manager, _ sessions.Store) {
				for range 5 {
					loginAs(t, m, "alice")
				}
				list, err := m.UserSessions(context.Background(), "alice")
				if err != nil {
					t.Fatal(err)
				}
				t.Errorf("NewManager accepted LimitPolicy LimitReject without MaxPerUser; 5 logins of one user were all accepted (%d sessions), none refused", len(list))
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store := newMemoryStore(t)
			m, err := sessions.NewManager(store, tc.opts)
			if refused(t, err, tc.field) {
				return
			}
			tc.run(t, m, store)
		})
	}
}
