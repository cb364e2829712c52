package sessions_test

// Tests of NewManager's checks of Options: each refuses a setting that
// would build a manager that misbehaves, with an error naming it.

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// refused reports whether NewManager refused its options (err != nil),
// and fails t unless it did so with an ErrConfig naming field.
func refused(t *testing.T, err error, field string) bool {
	t.Helper()
	if err == nil {
		return false
	}
	if !errors.Is(err, sessions.ErrConfig) || !strings.Contains(err.Error(), field) {
		t.Errorf("NewManager: %v; want an ErrConfig naming %q", err, field)
	}
	return true
}

// setCookieLines runs one request through m's middleware whose handler
// stores a value, and returns the response's Set-Cookie lines.
func setCookieLines(t *testing.T, m *sessions.Manager) []string {
	t.Helper()
	w := httptest.NewRecorder()
	m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.Start(w, r).Set("k", "v")
	})).ServeHTTP(w, httptest.NewRequest(http.MethodGet, "https://app.example.com/", nil))
	return w.Result().Header.Values("Set-Cookie")
}

// TestSameSiteUnknownValue: SameSite is always written (SECURITY.md S11).
// For an http.SameSite outside the named constants net/http writes no
// SameSite attribute at all, leaving the browser's own default (None in
// browsers without Lax-by-default), so NewManager refuses it.
func TestSameSiteUnknownValue(t *testing.T) {
	for _, ss := range []http.SameSite{-1, 5, 42} {
		t.Run(fmt.Sprint(int(ss)), func(t *testing.T) {
			m, err := sessions.NewManager(newMemoryStore(t), sessions.Options{SameSite: ss})
			if refused(t, err, "SameSite") {
				return
			}
			lines := setCookieLines(t, m)
			if len(lines) != 1 || !strings.Contains(lines[0], "SameSite=") {
				t.Errorf("NewManager accepted SameSite(%d), and the session cookie has no SameSite attribute: %q", ss, lines)
			}
		})
	}
}

// TestUnwritableDomainOrPath: a Domain net/http cannot write (a port, a
// scheme, a path) would be dropped from every response (with a log line),
// leaving the cookie host-only, and a Path with a byte net/http drops would
// be rewritten; NewManager refuses both with an ErrConfig, as it does every
// other broken cookie rule, rather than let them surface at a request.
func TestUnwritableDomainOrPath(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts sessions.Options
		want string // the attribute the configuration asks for
	}{
		{"Domain with port", sessions.Options{CookieName: "sid", Domain: "example.com:8443"}, "Domain=example.com:8443"},
		{"Domain as URL", sessions.Options{CookieName: "sid", Domain: "https://example.com"}, "Domain=https://example.com"},
		{"Domain with path", sessions.Options{CookieName: "sid", Domain: "example.com/app"}, "Domain=example.com/app"},
		{"Path with semicolon", sessions.Options{CookieName: "sid", Path: "/app;v2"}, "Path=/app;v2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := sessions.NewManager(newMemoryStore(t), tc.opts)
			if refused(t, err, "") {
				return
			}
			lines := setCookieLines(t, m)
			if len(lines) != 1 || !strings.Contains(lines[0], tc.want+";") {
				t.Errorf("NewManager accepted %s; the response's cookie is %q, without the configured %q", tc.name, lines, tc.want)
			}
		})
	}
}

// TestSubSecondTimeouts: time.Duration counts nanoseconds, so
// sessions.New("memory", "sid", 60) (meant as minutes) or
// Options{IdleTimeout: 30} compiles. Such a manager would end every session
// before its next request, and with Persist a Lifetime under a second would
// make a new session's own cookie a deletion cookie (Max-Age=0); NewManager
// refuses timeouts under a second, saying what to write instead.
func TestSubSecondTimeouts(t *testing.T) {
	t.Run("New with a bare number", func(t *testing.T) {
		defer func() {
			p := recover()
			err, _ := p.(error)
			if p == nil || !errors.Is(err, sessions.ErrConfig) || !strings.Contains(err.Error(), "IdleTimeout") {
				t.Errorf("sessions.New(\"memory\", \"sid\", 60) = no panic or %v; want a panic with an ErrConfig naming the idle timeout", p)
			}
		}()
		m := sessions.New("memory", "sid", 60)
		m.Close()
	})
	t.Run("IdleTimeout 30ns", func(t *testing.T) {
		m, err := sessions.NewManager(newMemoryStore(t), sessions.Options{IdleTimeout: 30})
		if refused(t, err, "IdleTimeout") {
			return
		}
		id := seedSession(t, m)
		time.Sleep(time.Millisecond)
		var got string
		do(t, m, id, func(s *sessions.Session) { got = s.GetString("name") })
		t.Errorf("NewManager accepted IdleTimeout 30ns; the session read 1 ms after its creation holds %q, want it refused at configuration", got)
	})
	t.Run("Persist with Lifetime 500ms", func(t *testing.T) {
		m, err := sessions.NewManager(newMemoryStore(t), sessions.Options{Persist: true, Lifetime: 500 * time.Millisecond})
		if refused(t, err, "Lifetime") {
			return
		}
		t.Errorf("NewManager accepted Lifetime 500ms; a new session's cookie: %q", setCookieLines(t, m))
	})
}

// TestRotateAfterNeverReached: RotateAfter is measured from the ID's
// last renewal, never earlier than the start of the session's Lifetime, so
// a RotateAfter not shorter than Lifetime would never rotate an ID while
// the application believes they are renewed; NewManager refuses it.
func TestRotateAfterNeverReached(t *testing.T) {
	opts := sessions.Options{IdleTimeout: time.Hour, Lifetime: 2 * time.Hour, RotateAfter: 2 * time.Hour}
	if _, err := sessions.NewManager(newMemoryStore(t), opts); refused(t, err, "RotateAfter") {
		return
	}
	mgr, _, clock := newClockedManager(t, opts)
	id := seedSession(t, mgr)
	rotations := 0
	for range 2*60/10 - 1 { // a request every 10 minutes for the whole lifetime
		clock.Add(int64(10 * time.Minute))
		resp := do(t, mgr, id, func(s *sessions.Session) { s.Get("name") })
		if cs := resp.Cookies(); len(cs) == 1 && cs[0].Value != "" && cs[0].Value != id {
			rotations++
			id = cs[0].Value
		}
	}
	t.Errorf("NewManager accepted RotateAfter %v with Lifetime %v; over the session's whole life it rotated %d times", opts.RotateAfter, opts.Lifetime, rotations)
}

// TestTouchIntervalExpiresActiveSession: the recorded activity moves only
// every TouchInterval, so with a 30-minute idle timeout and a TouchInterval
// of 20 minutes a session read every 15 minutes would expire while in use.
// NewManager refuses a TouchInterval over half the idle timeout, so a
// session used at least every IdleTimeout/2 stays alive.
func TestTouchIntervalExpiresActiveSession(t *testing.T) {
	opts := sessions.Options{IdleTimeout: 30 * time.Minute, TouchInterval: 20 * time.Minute}
	if _, err := sessions.NewManager(newMemoryStore(t), opts); refused(t, err, "TouchInterval") {
		return
	}
	m, _, clock := newClockedManager(t, opts)
	id := seedSession(t, m)
	for i := 1; i <= 2; i++ {
		clock.Add(int64(15 * time.Minute))
		var got string
		do(t, m, id, func(s *sessions.Session) { got = s.GetString("name") })
		if got != "kataras" {
			t.Fatalf("request %d, 15 minutes after the previous one (idle timeout 30m, TouchInterval 20m accepted): the session is gone", i)
		}
	}
}

// TestSecureUnknownValueAdvice: NewManager's errors say what to fix: an
// unknown SecureMode is reported as unknown, not met with advice to set
// AllowInsecure, which would only lead to that error next.
func TestSecureUnknownValueAdvice(t *testing.T) {
	_, err := sessions.NewManager(newMemoryStore(t), sessions.Options{CookieName: "sid", Secure: 7})
	if err == nil || !strings.Contains(err.Error(), "unknown value") {
		t.Errorf("NewManager with Secure 7: %v; want the error to say the value is unknown", err)
	}
}

// TestRotateAfterWithinGrace: the ID an automatic rotation replaced keeps
// working for RotateGrace. With RotateAfter not longer than RotateGrace the
// new ID would be rotated again within the old one's grace; the old ID's
// alias would then lead to a key that is itself only an alias, and a
// request still carrying it, well within its grace, would be served
// anonymous. NewManager refuses the combination.
func TestRotateAfterWithinGrace(t *testing.T) {
	opts := sessions.Options{RotateAfter: 5 * time.Second, RotateGrace: 30 * time.Second}
	if _, err := sessions.NewManager(newMemoryStore(t), opts); refused(t, err, "RotateAfter") {
		return
	}
	m, _, clock := newClockedManager(t, opts)
	a := seedSession(t, m)
	rotate := func(id string) string {
		t.Helper()
		clock.Add(int64(6 * time.Second))
		cs := do(t, m, id, func(s *sessions.Session) { s.Get("name") }).Cookies()
		if len(cs) != 1 || cs[0].Value == "" || cs[0].Value == id {
			t.Fatalf("no rotation: %v", cs)
		}
		return cs[0].Value
	}
	b := rotate(a) // 0:06: a is renamed to b, and works until 0:36
	rotate(b)      // 0:12: b is renamed to c
	clock.Add(int64(time.Second))
	var got string
	do(t, m, a, func(s *sessions.Session) { got = s.GetString("name") })
	if got != "kataras" {
		t.Errorf("0:13, 7 s into the rotated ID's 30 s grace: a request carrying it read %q, want the session's kataras", got)
	}
}
