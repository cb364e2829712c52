package cookie_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/cookie"
)

const cookieName = "__Host-id"

// fakeClock is the injected Options.Now.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// rig is a manager on a cookie store behind its middleware, with a clock
// and an event log.
type rig struct {
	t      *testing.T
	m      *sessions.Manager
	h      http.Handler
	clock  *fakeClock
	mu     sync.Mutex
	events []sessions.Event
}

func newRig(t *testing.T, store sessions.Store, opts sessions.Options) *rig {
	t.Helper()
	r := &rig{t: t, clock: &fakeClock{t: time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)}}
	if opts.Now == nil {
		opts.Now = r.clock.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	opts.OnEvent = func(_ context.Context, e sessions.Event) {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.events = append(r.events, e)
	}
	m, err := sessions.NewManager(store, opts)
	if err != nil {
		t.Fatalf("NewManager: %v", err)
	}
	r.m = m
	r.h = m.Handler(appMux(m))
	return r
}

// appMux is the application under test.
func appMux(m *sessions.Manager) *http.ServeMux {
	mux := http.NewServeMux()
	sess := func(r *http.Request) *sessions.Session { return m.FromContext(r.Context()) }
	mux.HandleFunc("GET /get", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, sess(r).GetString("name"))
	})
	mux.HandleFunc("GET /set", func(w http.ResponseWriter, r *http.Request) {
		sess(r).Set("name", r.URL.Query().Get("v"))
	})
	mux.HandleFunc("GET /blob", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		b := make([]byte, n)
		rand.Read(b)
		sess(r).Set("blob", b)
		fmt.Fprint(w, "stored")
	})
	mux.HandleFunc("GET /id", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, sess(r).ID())
	})
	mux.HandleFunc("GET /csrf", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, sess(r).CSRFToken())
	})
	mux.HandleFunc("POST /post", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "posted by ", sess(r).User())
	})
	mux.HandleFunc("GET /renew", func(w http.ResponseWriter, r *http.Request) {
		sess(r).Renew()
	})
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) {
		if err := sess(r).Login(r.URL.Query().Get("u")); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})
	mux.HandleFunc("GET /user", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, sess(r).User())
	})
	mux.HandleFunc("GET /inc", func(w http.ResponseWriter, r *http.Request) {
		n, err := sess(r).Increment("n", 1)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprint(w, n)
	})
	mux.HandleFunc("GET /destroy", func(w http.ResponseWriter, r *http.Request) {
		sess(r).Destroy()
	})
	return mux
}

// result is one response: status, body and the session cookie it set
// (nil when it set none), parsed with http.ParseSetCookie.
type result struct {
	code   int
	body   string
	cookie *http.Cookie
	nSet   int // Set-Cookie headers for the session cookie
}

// do sends one request carrying the session cookie value (none if "").
func (r *rig) do(method, path, value string, header ...string) result {
	r.t.Helper()
	req := httptest.NewRequest(method, "https://app.example"+path, nil)
	if value != "" {
		req.Header.Add("Cookie", cookieName+"="+value)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	r.h.ServeHTTP(w, req)
	res := result{code: w.Code, body: w.Body.String()}
	for _, line := range w.Result().Header.Values("Set-Cookie") {
		c, err := http.ParseSetCookie(line)
		if err != nil {
			r.t.Fatalf("bad Set-Cookie %q: %v", line, err)
		}
		if c.Name == cookieName {
			res.cookie, res.nSet = c, res.nSet+1
		}
	}
	return res
}

// value returns the cookie value a response set, failing the test if it
// set none.
func (res result) value(t *testing.T) string {
	t.Helper()
	if res.cookie == nil || res.cookie.Value == "" {
		t.Fatalf("response (%d %q) set no session cookie", res.code, res.body)
	}
	return res.cookie.Value
}

func (r *rig) kinds() []sessions.EventKind {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]sessions.EventKind, len(r.events))
	for i, e := range r.events {
		out[i] = e.Kind
	}
	return out
}

func (r *rig) saw(kind sessions.EventKind) *sessions.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := range r.events {
		if r.events[i].Kind == kind {
			e := r.events[i]
			return &e
		}
	}
	return nil
}

func (r *rig) clearEvents() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = nil
}

// seedMux serves the seed's example with Manager.Start, as the seed does.
func seedMux(m *sessions.Manager) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /set", func(w http.ResponseWriter, r *http.Request) {
		s := m.Start(w, r)
		s.Set("name", "kataras")
		fmt.Fprintf(w, "All ok session setted to: %s", s.Get("name"))
	})
	mux.HandleFunc("GET /get", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "The name on the /set was: %s", m.Start(w, r).GetString("name"))
	})
	mux.HandleFunc("GET /delete", func(w http.ResponseWriter, r *http.Request) {
		m.Start(w, r).Delete("name")
	})
	mux.HandleFunc("GET /clear", func(w http.ResponseWriter, r *http.Request) {
		m.Start(w, r).Clear()
	})
	mux.HandleFunc("GET /destroy", func(w http.ResponseWriter, r *http.Request) {
		m.Destroy(w, r)
	})
	return mux
}

func TestSeedFlow(t *testing.T) {
	for _, mode := range []string{"write-through", "middleware"} {
		t.Run(mode, func(t *testing.T) {
			m, err := sessions.NewManager(newStore(t), sessions.Options{CookieName: "irissessionid"})
			if err != nil {
				t.Fatal(err)
			}
			var h http.Handler = seedMux(m)
			if mode == "middleware" {
				h = m.Handler(h)
			}
			srv := httptest.NewTLSServer(h)
			defer srv.Close()
			c := srv.Client()
			c.Jar, _ = cookiejar.New(nil)
			get := func(path string) (string, *http.Response) {
				t.Helper()
				resp, err := c.Get(srv.URL + path)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				return string(b), resp
			}
			if body, resp := get("/get"); body != "The name on the /set was: " || len(resp.Cookies()) != 0 {
				t.Fatalf("/get before /set = %q, cookies %v; want empty and no cookie", body, resp.Cookies())
			}
			body, resp := get("/set")
			if body != "All ok session setted to: kataras" {
				t.Fatalf("/set = %q", body)
			}
			cs := resp.Cookies()
			if len(cs) != 1 || cs[0].Name != "irissessionid" || !cs[0].HttpOnly || !cs[0].Secure || cs[0].SameSite != http.SameSiteLaxMode {
				t.Fatalf("/set cookies = %+v, want one HttpOnly Secure SameSite=Lax irissessionid", cs)
			}
			sealed := cs[0].Value
			raw, err := base64.RawURLEncoding.DecodeString(sealed)
			if err != nil {
				t.Fatalf("cookie is not base64url: %v", err)
			}
			if strings.Contains(sealed, "kataras") || strings.Contains(string(raw), "kataras") {
				t.Fatal("the session value shows in the cookie")
			}
			if body, _ = get("/get"); body != "The name on the /set was: kataras" {
				t.Fatalf("/get after /set = %q", body)
			}
			get("/delete")
			if body, _ = get("/get"); body != "The name on the /set was: " {
				t.Fatalf("/get after /delete = %q", body)
			}
			get("/set")
			get("/clear")
			if body, _ = get("/get"); body != "The name on the /set was: " {
				t.Fatalf("/get after /clear = %q", body)
			}
			get("/set")
			_, resp = get("/destroy")
			if cs = resp.Cookies(); len(cs) != 1 || cs[0].MaxAge >= 0 || cs[0].Value != "" {
				t.Fatalf("/destroy cookies = %+v, want the cookie expired", cs)
			}
			if body, _ = get("/get"); body != "The name on the /set was: " {
				t.Fatalf("/get after /destroy = %q", body)
			}
			u, _ := url.Parse(srv.URL)
			if jar := c.Jar.Cookies(u); len(jar) != 0 {
				t.Fatalf("jar still holds %v after /destroy", jar)
			}
		})
	}
}

// TestReplayAfterDestroy pins the documented limitation: the store keeps no
// server-side state, so a copy of a cookie taken before Destroy (or Renew,
// or Login) still opens until its idle or absolute deadline. If revocation
// is added, this test must be turned around.
func TestReplayAfterDestroy(t *testing.T) {
	r := newRig(t, newStore(t), sessions.Options{})
	c := r.do("GET", "/set?v=alice", "").value(t)
	if res := r.do("GET", "/destroy", c); res.cookie == nil || res.cookie.MaxAge >= 0 {
		t.Fatalf("/destroy did not expire the cookie: %+v", res.cookie)
	}
	if r.saw(sessions.EventDestroyed) == nil {
		t.Error("no EventDestroyed")
	}
	if got := r.do("GET", "/get", c).body; got != "alice" {
		t.Fatalf("replayed cookie gave %q; the documented limitation says it still opens", got)
	}
	r.clock.Advance(31 * time.Minute) // past the default idle timeout
	if got := r.do("GET", "/get", c).body; got != "" {
		t.Fatalf("replayed cookie after the idle timeout gave %q, want a fresh session", got)
	}
}

func TestTamperedCookie(t *testing.T) {
	r := newRig(t, newStore(t), sessions.Options{})
	c := r.do("GET", "/set?v=alice", "").value(t)
	oldID := r.do("GET", "/id", c).body
	b := []byte(c)
	i := len(b) / 2
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	r.clearEvents()
	res := r.do("GET", "/get", string(b))
	if res.code != http.StatusOK || res.body != "" || res.cookie != nil {
		t.Fatalf("tampered cookie: %d %q cookie %v; want 200, empty, no cookie", res.code, res.body, res.cookie)
	}
	e := r.saw(sessions.EventCorrupt)
	if e == nil || !errors.Is(e.Err, sessions.ErrCorrupt) {
		t.Fatalf("events %v: want EventCorrupt with an ErrCorrupt error", r.kinds())
	}
	// Storing into it starts a fresh session with a new ID.
	res = r.do("GET", "/set?v=mallory", string(b))
	newID := r.do("GET", "/id", res.value(t)).body
	if newID == "" || newID == oldID {
		t.Fatalf("session after a tampered cookie has id %q (old %q), want a new one", newID, oldID)
	}
	// The untouched cookie still works.
	if got := r.do("GET", "/get", c).body; got != "alice" {
		t.Fatalf("original cookie gave %q", got)
	}
}

func TestDuplicateCookies(t *testing.T) {
	// A forged cookie next to a genuine one never wins, in either order.
	r := newRig(t, newStore(t), sessions.Options{})
	good := r.do("GET", "/set?v=alice", "").value(t)
	forged := newStore(t).Seal
	other, err := forged(cookieName, strings.Repeat("E", sessions.IDLen), &sessions.Record{})
	if err != nil {
		t.Fatal(err)
	}
	for _, pair := range [][2]string{{good, other}, {other, good}} {
		r.clearEvents()
		if got := r.do("GET", "/get", pair[0]+"; "+cookieName+"="+pair[1]).body; got != "alice" {
			t.Errorf("cookies %.8s…, %.8s…: got %q, want alice", pair[0], pair[1], got)
		}
		if r.saw(sessions.EventDuplicateCookie) == nil {
			t.Errorf("no EventDuplicateCookie")
		}
	}
}

func TestKeyRotation(t *testing.T) {
	k1, k2 := newKey(t), newKey(t)
	old := newRig(t, newStore(t, k1), sessions.Options{})
	c1 := old.do("GET", "/set?v=alice", "").value(t)
	id := old.do("GET", "/id", c1).body

	ring := newRig(t, newStore(t, k2, k1), sessions.Options{})
	res := ring.do("GET", "/get", c1)
	if res.body != "alice" {
		t.Fatalf("k1 cookie under [k2 k1] gave %q, want alice", res.body)
	}
	c2 := res.value(t) // re-issued although the request changed nothing
	if c2 == c1 {
		t.Fatal("re-issued cookie equals the old one")
	}
	if _, _, err := newStore(t, k2).Open(cookieName, c2); err != nil {
		t.Fatalf("re-issued cookie does not open under k2 alone: %v", err)
	}
	if got := ring.do("GET", "/id", c2).body; got != id {
		t.Errorf("re-sealing changed the session id: %s… → %s…", id[:8], got[:8])
	}
	if res := ring.do("GET", "/get", c2); res.cookie != nil {
		t.Errorf("a cookie under the newest key was re-issued without a change")
	}

	only := newRig(t, newStore(t, k2), sessions.Options{})
	if res := only.do("GET", "/get", c1); res.body != "" {
		t.Fatalf("k1 cookie after dropping k1 gave %q, want a fresh session", res.body)
	}
	if only.saw(sessions.EventCorrupt) == nil {
		t.Errorf("k1 cookie after dropping k1: events %v, want EventCorrupt", only.kinds())
	}
	if got := only.do("GET", "/get", c2).body; got != "alice" {
		t.Fatalf("re-issued cookie under k2 alone gave %q", got)
	}
}

func TestOversize(t *testing.T) {
	r := newRig(t, newStore(t), sessions.Options{})
	res := r.do("GET", "/blob?n=5000", "")
	if res.code != http.StatusRequestEntityTooLarge || res.nSet != 0 {
		t.Fatalf("5 KB session: %d %q with %d Set-Cookie; want 413 and none", res.code, res.body, res.nSet)
	}
	if strings.Contains(res.body, "stored") {
		t.Error("the handler's body went out with the error")
	}
	e := r.saw(sessions.EventTooLarge)
	if e == nil || !errors.Is(e.Err, cookie.ErrCookieTooLarge) || !errors.Is(e.Err, sessions.ErrTooLarge) {
		t.Fatalf("events %v: want EventTooLarge with ErrCookieTooLarge", r.kinds())
	}
	// An existing session that grows too large keeps its old cookie.
	c := r.do("GET", "/set?v=alice", "").value(t)
	if res := r.do("GET", "/blob?n=5000", c); res.code != http.StatusRequestEntityTooLarge || res.nSet != 0 {
		t.Fatalf("growing a session past 4 KB: %d with %d Set-Cookie", res.code, res.nSet)
	}
	if got := r.do("GET", "/get", c).body; got != "alice" {
		t.Fatalf("old cookie after a refused growth gave %q", got)
	}
	// Just under the limit works and fits.
	res = r.do("GET", "/blob?n=2800", "")
	if v := res.value(t); res.code != 200 || len(cookieName)+len(v) > cookie.MaxCookieSize {
		t.Fatalf("2.8 KB session: %d, cookie of %d bytes", res.code, len(cookieName)+len(v))
	}
}

func TestCSRFAndRenew(t *testing.T) {
	r := newRig(t, newStore(t), sessions.Options{})
	first := r.do("GET", "/csrf", "")
	c1, tok1 := first.value(t), first.body
	if tok1 == "" {
		t.Fatal("no CSRF token")
	}
	post := func(c, tok string) int {
		t.Helper()
		if tok == "" {
			return r.do("POST", "/post", c).code
		}
		return r.do("POST", "/post", c, "X-CSRF-Token", tok).code
	}
	if code := post(c1, tok1); code != 200 {
		t.Fatalf("POST with the token: %d", code)
	}
	if code := post(c1, ""); code != 403 {
		t.Fatalf("POST without a token: %d, want 403", code)
	}
	other := r.do("GET", "/csrf", "")
	if code := post(c1, other.body); code != 403 {
		t.Fatalf("POST with another session's token: %d, want 403", code)
	}

	id1 := r.do("GET", "/id", c1).body
	c2 := r.do("GET", "/renew", c1).value(t)
	if id2 := r.do("GET", "/id", c2).body; id2 == id1 || id2 == "" {
		t.Fatalf("Renew kept the session id")
	}
	if code := post(c2, tok1); code != 403 {
		t.Fatalf("POST after Renew with the token minted before: %d, want 403", code)
	}
	next := r.do("GET", "/csrf", c2)
	c2 = next.value(t)
	if code := post(c2, next.body); code != 200 {
		t.Fatalf("POST with the new token: %d", code)
	}

	c3 := r.do("GET", "/login?u=alice", c2).value(t)
	if id3 := r.do("GET", "/id", c3).body; id3 == id1 || id3 == r.do("GET", "/id", c2).body {
		t.Fatal("Login kept the session id")
	}
	if code := post(c3, next.body); code != 403 {
		t.Fatalf("POST after Login with the token minted before: %d, want 403", code)
	}
	if got := r.do("GET", "/user", c3).body; got != "alice" {
		t.Fatalf("user after Login = %q", got)
	}
}

func TestAbsoluteLifetimeFromPayload(t *testing.T) {
	s := newStore(t)
	r := newRig(t, s, sessions.Options{IdleTimeout: 40 * time.Minute, Lifetime: time.Hour})
	c := r.do("GET", "/set?v=alice", "").value(t)
	// Stay active: every 25 minutes, well inside the idle timeout.
	for range 2 {
		r.clock.Advance(25 * time.Minute)
		res := r.do("GET", "/get", c)
		if res.body != "alice" {
			t.Fatalf("active session lost at %v", r.clock.Now())
		}
		if res.cookie != nil {
			c = res.cookie.Value // the refreshed last-seen time
		}
	}
	r.clock.Advance(11 * time.Minute) // 61 minutes after creation
	if _, _, err := s.Open(cookieName, c); err != nil {
		t.Fatalf("the cookie must still be authentic for this test: %v", err)
	}
	r.clearEvents()
	if res := r.do("GET", "/get", c); res.body != "" {
		t.Fatalf("authentic cookie past the absolute lifetime gave %q, want a fresh session", res.body)
	}
	if r.saw(sessions.EventExpiredAbsolute) == nil {
		t.Fatalf("events %v, want EventExpiredAbsolute", r.kinds())
	}
}

func TestIdleTimeoutFromPayload(t *testing.T) {
	r := newRig(t, newStore(t), sessions.Options{IdleTimeout: 10 * time.Minute})
	c := r.do("GET", "/set?v=alice", "").value(t)
	r.clock.Advance(10 * time.Minute)
	if res := r.do("GET", "/get", c); res.body != "" {
		t.Fatalf("cookie replayed after the idle timeout gave %q", res.body)
	}
	if r.saw(sessions.EventExpiredIdle) == nil {
		t.Fatalf("events %v, want EventExpiredIdle", r.kinds())
	}
}

func TestReadOnlyRequestSetsNoCookie(t *testing.T) {
	r := newRig(t, newStore(t), sessions.Options{})
	c := r.do("GET", "/set?v=alice", "").value(t)
	if res := r.do("GET", "/get", c); res.cookie != nil {
		t.Errorf("a read inside the touch interval re-issued the cookie")
	}
	r.clock.Advance(2 * time.Minute) // past the default touch interval
	if res := r.do("GET", "/get", c); res.cookie == nil || res.body != "alice" {
		t.Errorf("a read past the touch interval did not refresh the cookie")
	}
}

func TestIncrement(t *testing.T) {
	r := newRig(t, newStore(t), sessions.Options{})
	c := ""
	for want := 1; want <= 3; want++ {
		res := r.do("GET", "/inc", c)
		if res.body != strconv.Itoa(want) {
			t.Fatalf("increment %d = %q", want, res.body)
		}
		c = res.value(t)
	}
}

func TestManagerAPIsWithoutServerState(t *testing.T) {
	r := newRig(t, newStore(t), sessions.Options{})
	c := r.do("GET", "/login?u=alice", "").value(t)
	handle := r.do("GET", "/id", c).body
	ctx := t.Context()
	if _, err := r.m.UserSessions(ctx, "alice"); !errors.Is(err, sessions.ErrNotSupported) {
		t.Errorf("UserSessions: %v, want ErrNotSupported", err)
	}
	if _, err := r.m.DestroyUserSessions(ctx, "alice", ""); !errors.Is(err, sessions.ErrNotSupported) {
		t.Errorf("DestroyUserSessions: %v, want ErrNotSupported", err)
	}
	// It cannot end the session in another client's cookie: answering
	// (false, nil) read as "no such session", which a "your devices" page
	// showed as a logout that did not happen.
	if ok, err := r.m.DestroySession(ctx, "alice", handle); ok || !errors.Is(err, sessions.ErrNotSupported) {
		t.Errorf("DestroySession = %v, %v; want false and ErrNotSupported", ok, err)
	}
	if _, err := sessions.NewManager(newStore(t), sessions.Options{MaxPerUser: 3}); !errors.Is(err, sessions.ErrConfig) {
		t.Errorf("MaxPerUser on the cookie store: %v, want ErrConfig", err)
	}
}

// spyStore is a cookie store whose server-side methods fail the test: the
// manager must use Seal and Open only.
type spyStore struct {
	*cookie.Store
	t *testing.T
}

func (s spyStore) fail(op string) error {
	s.t.Errorf("the manager called %s on a client store", op)
	return sessions.ErrNotSupported
}

func (s spyStore) Load(context.Context, string) (*sessions.Record, bool, error) {
	return nil, false, s.fail("Load")
}
func (s spyStore) Create(context.Context, string, *sessions.Record) error { return s.fail("Create") }
func (s spyStore) Commit(context.Context, string, *sessions.Delta) error  { return s.fail("Commit") }
func (s spyStore) Delete(context.Context, string) error                   { return s.fail("Delete") }
func (s spyStore) Increment(context.Context, string, string, int64) (int64, error) {
	return 0, s.fail("Increment")
}
func (s spyStore) Rename(context.Context, string, string, time.Duration) error {
	return s.fail("Rename")
}

func TestManagerNeverCallsServerMethods(t *testing.T) {
	for _, opts := range []sessions.Options{{}, {RotateAfter: time.Minute, Bind: sessions.BindUserAgent, BindPolicy: sessions.BindDestroy}} {
		r := newRig(t, spyStore{newStore(t), t}, opts)
		c := r.do("GET", "/set?v=alice", "").value(t)
		steps := []string{"/get", "/inc", "/csrf", "/renew", "/login?u=alice", "/inc", "/get", "/destroy"}
		for _, p := range steps {
			r.clock.Advance(90 * time.Second)
			if res := r.do("GET", p, c); res.cookie != nil && res.cookie.Value != "" {
				c = res.cookie.Value
			}
		}
		// A tampered and an expired cookie, which a server store would drop.
		r.do("GET", "/get", c[:len(c)-2]+"AA")
		r.clock.Advance(24 * time.Hour)
		r.do("GET", "/get", c)
	}
}

func TestWriteThroughOneSetCookie(t *testing.T) {
	// Without the middleware every change is sealed at once; the response
	// must still carry only the latest cookie, not one 4 KB copy per change.
	m, err := sessions.NewManager(newStore(t), sessions.Options{})
	if err != nil {
		t.Fatal(err)
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := m.Start(w, r)
		s.Set("a", 1)
		s.Set("b", 2)
		s.Renew()
		s.Set("c", 3)
	})
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "https://app.example/", nil))
	lines := w.Result().Header.Values("Set-Cookie")
	if len(lines) != 1 {
		t.Fatalf("%d Set-Cookie headers, want 1", len(lines))
	}
	c, err := http.ParseSetCookie(lines[0])
	if err != nil {
		t.Fatal(err)
	}
	_, rec, err := m.Store().(*cookie.Store).Open(c.Name, c.Value)
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Fields) != 3 {
		t.Fatalf("the one cookie holds %v, want a, b and c", rec.Fields)
	}
}

// TestIncrementAfterResponseStarted checks that Increment on the cookie
// store, once the response has started and the cookie can no longer change,
// is refused with ErrResponseStarted (as Manager.Handler's doc says for any
// change with the cookie store) instead of reporting a count that is never
// sealed, and that the next request reads the count as it was.
func TestIncrementAfterResponseStarted(t *testing.T) {
	r := newRig(t, newStore(t), sessions.Options{})
	var (
		n   int64
		err error
	)
	h := r.m.Handler(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		s := r.m.FromContext(req.Context())
		switch req.URL.Path {
		case "/seed":
			if _, err := s.Increment("n", 1); err != nil {
				t.Error(err)
			}
		case "/late":
			io.WriteString(w, "the response starts here; ")
			n, err = s.Increment("n", 1)
		default:
			fmt.Fprint(w, s.GetInt("n"))
		}
	}))
	serve := func(path, value string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", "https://app.example"+path, nil)
		if value != "" {
			req.Header.Add("Cookie", cookieName+"="+value)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w
	}
	cs := serve("/seed", "").Result().Cookies()
	if len(cs) != 1 {
		t.Fatalf("seeding set %d cookies, want 1", len(cs))
	}
	c := cs[0].Value
	if w := serve("/late", c); len(w.Result().Cookies()) != 0 {
		t.Fatalf("a response that had started set a cookie: %q", w.Result().Header.Values("Set-Cookie"))
	}
	lost := r.saw(sessions.EventLostWrite) != nil
	if !errors.Is(err, sessions.ErrResponseStarted) && !lost {
		t.Errorf("Increment after the first byte = %d, %v with no EventLostWrite; want ErrResponseStarted: the count is never sealed into a cookie", n, err)
	}
	if got := serve("/get", c).Body.String(); got != "1" {
		t.Errorf("the next request reads n = %q, want 1", got)
	}
}

// TestSaveAfterResponseStarted checks a cookie-store session once the
// response has started: the middleware sealed every change into the cookie
// before the first byte, so Save then has nothing left to save and reports
// no error, and the session still reads what the cookie holds. A change
// made after the first byte is refused (EventLostWrite) and leaves the
// session as it was.
func TestSaveAfterResponseStarted(t *testing.T) {
	for _, tc := range []struct {
		name     string
		seeded   bool
		before   func(s *sessions.Session) // before the first byte
		after    func(s *sessions.Session) // after it, before Save
		wantLost bool
		want     string // what the handler reads after Save, and the next request under "name"
	}{
		{"new session", false, func(s *sessions.Session) { s.Set("name", "early") }, nil, false, "early"},
		{"changed session", true, func(s *sessions.Session) { s.Set("name", "early") }, nil, false, "early"},
		{"read only", true, func(s *sessions.Session) { _ = s.GetString("name") }, nil, false, "seed"},
		{"change after the first byte", true, func(s *sessions.Session) { s.Set("name", "early") },
			func(s *sessions.Session) { s.Set("name", "late") }, true, "early"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, newStore(t), sessions.Options{})
			var saveErr error
			var got string
			h := r.m.Handler(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
				s := r.m.FromContext(req.Context())
				tc.before(s)
				io.WriteString(w, "the response starts here; ")
				if tc.after != nil {
					tc.after(s)
				}
				saveErr = s.Save()
				got = s.GetString("name")
			}))
			value := ""
			if tc.seeded {
				value = r.do("GET", "/set?v=seed", "").value(t)
				r.clock.Advance(2 * time.Minute) // a read then records activity
			}
			r.clearEvents()
			req := httptest.NewRequest("GET", "https://app.example/", nil)
			if value != "" {
				req.Header.Add("Cookie", cookieName+"="+value)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if saveErr != nil {
				t.Errorf("Save after the first byte: %v, want nil: every change was sealed before it", saveErr)
			}
			if lost := r.saw(sessions.EventLostWrite) != nil; lost != tc.wantLost {
				t.Errorf("EventLostWrite emitted: %v, want %v", lost, tc.wantLost)
			}
			if got != tc.want {
				t.Errorf("the handler reads name = %q after Save, want %q", got, tc.want)
			}
			if c := w.Result().Cookies(); len(c) == 1 {
				value = c[0].Value
			}
			if res := r.do("GET", "/get", value); res.body != tc.want {
				t.Errorf("the next request reads name = %q, want %q", res.body, tc.want)
			}
		})
	}
}
