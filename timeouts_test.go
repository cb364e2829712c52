package sessions_test

import (
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
)

// TestHugeTimeouts checks that timeouts meant as "no limit" (up to
// math.MaxInt64) keep sessions alive instead of overflowing their deadline
// into the past, and that a persistent cookie still gets a bounded Max-Age.
func TestHugeTimeouts(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts sessions.Options
	}{
		{"lifetime", sessions.Options{Lifetime: math.MaxInt64}},
		{"idle timeout", sessions.Options{IdleTimeout: math.MaxInt64, Lifetime: math.MaxInt64}},
		{"250 years, persistent", sessions.Options{IdleTimeout: 250 * 365 * 24 * time.Hour, Lifetime: 250 * 365 * 24 * time.Hour, Persist: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, _ := newTestManager(t, tc.opts)
			h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				s := m.Start(w, r)
				if r.URL.Path == "/set" {
					s.Set("name", "kataras")
					return
				}
				w.Write([]byte(s.GetString("name")))
			}))
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/set", nil))
			cookies := w.Result().Cookies()
			if len(cookies) != 1 {
				t.Fatalf("the first request set %d cookies, want 1", len(cookies))
			}
			if maxAge := cookies[0].MaxAge; tc.opts.Persist && (maxAge <= 0 || maxAge > 400*24*3600) {
				t.Errorf("persistent cookie Max-Age %d, want 1 s to 400 days", maxAge)
			}
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.AddCookie(cookies[0])
			w = httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if got := w.Body.String(); got != "kataras" {
				t.Errorf("the next request read %q, want the stored value", got)
			}
		})
	}
}

// TestTouchIntervalBelowIdle checks that NewManager refuses a TouchInterval
// that is not shorter than the idle timeout: activity would then never be
// recorded in time, and a session only read from would expire in use.
func TestTouchIntervalBelowIdle(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts sessions.Options
		ok   bool
	}{
		{"defaults", sessions.Options{}, true},
		{"shorter", sessions.Options{IdleTimeout: 30 * time.Minute, TouchInterval: 5 * time.Minute}, true},
		{"equal to the default idle timeout", sessions.Options{TouchInterval: 30 * time.Minute}, false},
		{"longer", sessions.Options{IdleTimeout: time.Minute, TouchInterval: time.Hour}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store := memory.New(memory.Options{})
			defer store.Close()
			m, err := sessions.NewManager(store, tc.opts)
			if tc.ok != (err == nil) || (err != nil && !errors.Is(err, sessions.ErrConfig)) {
				t.Fatalf("NewManager: %v; want success %v (or ErrConfig)", err, tc.ok)
			}
			if m != nil {
				m.Close()
			}
		})
	}
}
