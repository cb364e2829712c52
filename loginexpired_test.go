package sessions_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// TestLoginOutlivesSessionExpiredMidRequest checks that a Login whose
// session expired while the login request ran (its idle or absolute
// deadline passed during the password check) still logs the user in, with
// a new session holding the KeepOnLogin values and its cookie. Login
// reported success, so dropping it as a lost write left the user anonymous
// on the next request. (A session a parallel request destroyed stays
// destroyed: see S24 in package securitytest.)
func TestLoginOutlivesSessionExpiredMidRequest(t *testing.T) {
	for _, tc := range []struct {
		name       string
		middleware bool
		lifetime   time.Duration
		// before is the time between the session's last use and the
		// login; during, how long the login request runs.
		before, during time.Duration
	}{
		{"idle deadline, middleware", true, time.Hour, 14 * time.Minute, 2 * time.Minute},
		{"absolute deadline, middleware", true, 20 * time.Minute, 9 * time.Minute, 3 * time.Minute},
		// Without the middleware the load records the activity at once,
		// so only the absolute deadline can pass.
		{"absolute deadline, write-through", false, 20 * time.Minute, 9 * time.Minute, 3 * time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			var events []string
			m, _, now := newClockedManager(t, sessions.Options{
				IdleTimeout: 15 * time.Minute,
				Lifetime:    tc.lifetime,
				KeepOnLogin: []string{"cart"},
				OnEvent: func(_ context.Context, e sessions.Event) {
					mu.Lock()
					events = append(events, e.Kind.String())
					mu.Unlock()
				},
			})
			var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				s := m.Start(w, r)
				switch r.URL.Path {
				case "/cart":
					s.Set("cart", "book")
				case "/login":
					s.Get("cart") // the session is loaded before the check
					now.Add(int64(tc.during))
					if err := s.Login("alice"); err != nil {
						http.Error(w, err.Error(), http.StatusInternalServerError)
					}
				case "/whoami":
					io.WriteString(w, s.User()+" "+s.GetString("cart"))
				}
			})
			if tc.middleware {
				h = m.Handler(h)
			}
			srv := httptest.NewServer(h)
			defer srv.Close()

			_, res := lifeGet(t, srv, m, "/cart", "")
			id := sessionCookie(t, m, res).Value
			now.Add(int64(9 * time.Minute))
			lifeGet(t, srv, m, "/cart", id) // keeps the idle deadline ahead
			now.Add(int64(tc.before))
			mu.Lock()
			events = nil
			mu.Unlock()
			body, res := lifeGet(t, srv, m, "/login", id)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("login answered %d %q", res.StatusCode, body)
			}
			c := sessionCookie(t, m, res)
			if c.Value == "" || c.Value == id {
				t.Fatalf("login set cookie %q, want a new session ID", c.Value)
			}
			if got, _ := lifeGet(t, srv, m, "/whoami", c.Value); got != "alice book" {
				t.Errorf("after login the session holds %q, want %q", got, "alice book")
			}
			mu.Lock()
			defer mu.Unlock()
			if slices.Contains(events, "lost-write") || !slices.Contains(events, "created") {
				t.Errorf("login events %v, want a created session and no lost write", events)
			}
		})
	}
}

// lifeGet sends a GET of path to srv with the session cookie id, if any,
// and returns the body and the response.
func lifeGet(t *testing.T, srv *httptest.Server, m *sessions.Manager, path, id string) (string, *http.Response) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if id != "" {
		req.AddCookie(&http.Cookie{Name: m.CookieName(), Value: id})
	}
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b), res
}

// sessionCookie returns the session cookie res sets, failing the test if
// it sets none.
func sessionCookie(t *testing.T, m *sessions.Manager, res *http.Response) *http.Cookie {
	t.Helper()
	for _, c := range res.Cookies() {
		if c.Name == m.CookieName() {
			return c
		}
	}
	t.Fatalf("%s: the response set no session cookie", res.Request.URL.Path)
	return nil
}
