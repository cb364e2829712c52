package sessionecho_test

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/sessionkit/sessions"
	sessionecho "github.com/sessionkit/sessions/adapters/echo"
	"github.com/sessionkit/sessions/internal/adaptertest"
	"github.com/sessionkit/sessions/stores/memory"
)

// TestActivityRecordedWhenReadAfterBodyWritten checks that an echo handler
// that writes its response before it first reads the session records the
// session's activity, as under net/http: a user who only visits such pages
// is not logged out after the idle timeout.
func TestActivityRecordedWhenReadAfterBodyWritten(t *testing.T) {
	for _, tc := range []struct {
		name  string
		start func(c echo.Context)
	}{
		{"Write", func(c echo.Context) { c.Response().Write([]byte("<html>")) }},
		{"WriteHeader", func(c echo.Context) { c.Response().WriteHeader(http.StatusOK) }},
		{"Flush", func(c echo.Context) { c.Response().WriteHeader(http.StatusOK); c.Response().Flush() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, now, _ := adaptertest.ClockedManager(t, sessions.Options{IdleTimeout: 10 * time.Minute})
			e := echo.New()
			e.Use(sessionecho.Middleware(m))
			e.GET("/set", func(c echo.Context) error {
				sessionecho.Session(m, c).Set("name", "kataras")
				return c.String(http.StatusOK, "set")
			})
			e.GET("/page", func(c echo.Context) error {
				tc.start(c)
				_, err := c.Response().Write([]byte(sessionecho.Session(m, c).GetString("name")))
				return err
			})
			srv := serve(t, e)
			resp, _ := do(t, srv, "GET", "/set", request{})
			cookie := mustCookie(t, resp, m)
			for visit := 1; visit <= 4; visit++ {
				now.Add(int64(6 * time.Minute))
				if _, body := do(t, srv, "GET", "/page", request{Cookie: cookie}); !strings.HasSuffix(body, "kataras") {
					t.Fatalf("visit %d, 6 minutes after the last: page shows %q, want the session's name", visit, body)
				}
			}
		})
	}
}

// TestTooLargeAnswered413 checks that a request that would take its session
// over Options.MaxSize is answered 413 through echo, however the handler
// ends (a response written, nothing written, an error returned for the
// failed write), that none of the handler's response goes out, and that
// the event is a too-large warning, not a store error.
func TestTooLargeAnswered413(t *testing.T) {
	big := strings.Repeat("v", 200)
	for _, tc := range []struct {
		name string
		h    echo.HandlerFunc
	}{
		{"String", func(c echo.Context) error {
			sessionecho.Session(m0(c), c).Set("k", big)
			return c.String(http.StatusOK, "stored")
		}},
		{"nothing written", func(c echo.Context) error {
			sessionecho.Session(m0(c), c).Set("k", big)
			return nil
		}},
		{"Save error returned", func(c echo.Context) error {
			s := sessionecho.Session(m0(c), c)
			s.Set("k", big)
			if err := s.Save(); err != nil {
				return err
			}
			return c.String(http.StatusOK, "stored")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, _, events := adaptertest.ClockedManager(t, sessions.Options{MaxSize: 100})
			e := echo.New()
			e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
				return func(c echo.Context) error { c.Set("m", m); return next(c) }
			}, sessionecho.Middleware(m))
			e.GET("/big", tc.h)
			srv := serve(t, e)
			resp, body := do(t, srv, "GET", "/big", request{})
			if resp.StatusCode != http.StatusRequestEntityTooLarge || strings.Contains(body, "stored") {
				t.Errorf("response %d %q, want 413 without the handler's body", resp.StatusCode, body)
			}
			if c := sessionCookie(resp, m); c != nil && c.MaxAge >= 0 {
				t.Errorf("response sets session cookie %q for a session that was not stored", c.Value)
			}
			if got := events(); slices.Contains(got, "store-error") || !slices.Contains(got, "too-large") {
				t.Errorf("events %v, want too-large and no store-error", got)
			}
		})
	}
}

func m0(c echo.Context) *sessions.Manager { return c.Get("m").(*sessions.Manager) }

// TestLoginOutlivesSessionExpiredMidRequest checks that through echo, as
// under net/http, a Login whose session expired while the request ran is
// stored as a new session whose cookie the response sets.
func TestLoginOutlivesSessionExpiredMidRequest(t *testing.T) {
	m, now, events := adaptertest.ClockedManager(t, sessions.Options{IdleTimeout: 15 * time.Minute, KeepOnLogin: []string{"cart"}})
	e := echo.New()
	e.Use(sessionecho.Middleware(m))
	e.GET("/cart", func(c echo.Context) error {
		sessionecho.Session(m, c).Set("cart", "book")
		return c.String(http.StatusOK, "ok")
	})
	e.GET("/login", func(c echo.Context) error {
		s := sessionecho.Session(m, c)
		s.Get("cart")
		now.Add(int64(2 * time.Minute)) // the password check
		if err := s.Login("alice"); err != nil {
			return err
		}
		return c.String(http.StatusOK, "ok")
	})
	e.GET("/whoami", func(c echo.Context) error {
		s := sessionecho.Session(m, c)
		return c.String(http.StatusOK, s.User()+" "+s.GetString("cart"))
	})
	srv := serve(t, e)
	r, _ := do(t, srv, "GET", "/cart", request{})
	cookie := mustCookie(t, r, m)
	now.Add(int64(14 * time.Minute))
	events()
	r, body := do(t, srv, "GET", "/login", request{Cookie: cookie})
	if r.StatusCode != http.StatusOK {
		t.Fatalf("login answered %d %q", r.StatusCode, body)
	}
	c := mustCookie(t, r, m)
	if c.Value == cookie.Value {
		t.Fatalf("login kept the cookie %q, want a new session ID", c.Value)
	}
	if got := events(); slices.Contains(got, "lost-write") || !slices.Contains(got, "created") {
		t.Errorf("login events %v, want a created session and no lost write", got)
	}
	if _, body := do(t, srv, "GET", "/whoami", request{Cookie: c}); body != "alice book" {
		t.Errorf("after login the session holds %q, want %q", body, "alice book")
	}
}

// commitFailingStore is the memory store whose Commit fails with
// ErrStoreUnavailable while down is set.
type commitFailingStore struct {
	*memory.Store
	down atomic.Bool
}

func (s *commitFailingStore) Commit(ctx context.Context, key string, d *sessions.Delta) error {
	if s.down.Load() {
		return sessions.ErrStoreUnavailable
	}
	return s.Store.Commit(ctx, key, d)
}

// TestOneStoreFailureIsOneStoreErrorEvent checks that through echo, as
// under net/http, a failed store call is reported once: not again for each
// later change the failed session refuses, nor when the handler's returned
// error is answered through echo's HTTPErrorHandler and the commit fails
// with the same error. The client gets the manager's 503.
func TestOneStoreFailureIsOneStoreErrorEvent(t *testing.T) {
	for _, tc := range []struct {
		name string
		want int
		h    echo.HandlerFunc
	}{
		{"Save error returned", http.StatusServiceUnavailable, func(c echo.Context) error {
			s := sessionecho.Session(m0(c), c)
			s.Set("a", 1)
			if err := s.Save(); err != nil {
				s.Set("b", 2)
				return err
			}
			return c.String(http.StatusOK, "stored")
		}},
		{"changes after the response started", http.StatusOK, func(c echo.Context) error {
			s := sessionecho.Session(m0(c), c)
			s.Get("a")
			if err := c.String(http.StatusOK, "page"); err != nil {
				return err
			}
			s.Set("a", 1)
			s.Set("b", 2)
			s.Destroy()
			return nil
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store := &commitFailingStore{Store: memory.New(memory.Options{})}
			t.Cleanup(func() { store.Close() })
			var mu sync.Mutex
			var storeErrors int
			m, err := sessions.NewManager(store, sessions.Options{
				Logger: slog.New(slog.DiscardHandler),
				OnEvent: func(_ context.Context, e sessions.Event) {
					if e.Kind == sessions.EventStoreError {
						mu.Lock()
						storeErrors++
						mu.Unlock()
					}
				},
			})
			if err != nil {
				t.Fatal(err)
			}
			e := echo.New()
			e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
				return func(c echo.Context) error { c.Set("m", m); return next(c) }
			}, sessionecho.Middleware(m))
			e.GET("/seed", func(c echo.Context) error {
				sessionecho.Session(m, c).Set("seed", true)
				return c.String(http.StatusOK, "seeded")
			})
			e.GET("/write", tc.h)
			srv := serve(t, e)
			seed, _ := do(t, srv, "GET", "/seed", request{})
			cookie := mustCookie(t, seed, m)
			store.down.Store(true)
			resp, body := do(t, srv, "GET", "/write", request{Cookie: cookie})
			if resp.StatusCode != tc.want {
				t.Errorf("response %d %q, want %d", resp.StatusCode, body, tc.want)
			}
			mu.Lock()
			defer mu.Unlock()
			if storeErrors != 1 {
				t.Errorf("%d store-error events for one failed store call, want 1", storeErrors)
			}
		})
	}
}
