package securitytest

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/internal/syncbuf"
)

// ---- clock ----

// clock is a goroutine-safe fake clock for Options.Now. It starts at the real
// time so that stores which expire records on their own clock keep every
// record the manager still considers live: the fake time only moves forward.
type clock struct{ ns atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.ns.Store(time.Now().UnixNano())
	return c
}

func (c *clock) Now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *clock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// ---- store spy and fault injection ----

type call struct{ op, key, key2 string }

// spy wraps the store under test. It records every call the manager makes,
// counts them per operation, and can make an operation fail.
type spy struct {
	inner  sessions.Store
	mu     sync.Mutex
	calls  []call
	faults map[string]error
	gate   *gate // when set, Load waits until gate.n loads are in flight
	lists  *gate // when set, UserSessions waits until lists.n listings are in flight
	// onLoad, when set, runs once, after the next Load of onLoadKey returns
	// and before its caller goes on (see afterLoad).
	onLoad    func()
	onLoadKey string
}

// afterLoad makes f run once, just after the next Load of key returns:
// the moment its caller has checked the record and is about to act on it.
func (s *spy) afterLoad(key string, f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onLoad, s.onLoadKey = f, key
}

// gate holds callers until n of them have arrived (or a timeout passes), so
// n requests are sure to have loaded the same snapshot before any commits.
type gate struct {
	n       int
	arrived atomic.Int32
	open    chan struct{}
}

func newGate(n int) *gate { return &gate{n: n, open: make(chan struct{})} }

func (g *gate) wait() {
	if int(g.arrived.Add(1)) == g.n {
		close(g.open)
	}
	select {
	case <-g.open:
	case <-time.After(5 * time.Second):
	}
}

// spyIndex is a spy over a store with a user index; the manager only offers
// per-user operations when the store it is given implements one.
type spyIndex struct {
	*spy
	ux sessions.UserIndex
}

func newSpy(inner sessions.Store) (*spy, sessions.Store) {
	s := &spy{inner: inner, faults: map[string]error{}}
	if ux, ok := inner.(sessions.UserIndex); ok {
		return s, &spyIndex{s, ux}
	}
	return s, s
}

// hold waits at the gate *g (one of s's, read under s.mu) when one is set.
func (s *spy) hold(g **gate) {
	s.mu.Lock()
	cur := *g
	s.mu.Unlock()
	if cur != nil {
		cur.wait()
	}
}

func (s *spy) record(op, key, key2 string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, call{op, key, key2})
	return s.faults[op]
}

// fail makes op ("load", "create", "commit", "delete", "rename", "increment")
// return err from now on; nil clears it.
func (s *spy) fail(op string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err == nil {
		delete(s.faults, op)
	} else {
		s.faults[op] = err
	}
}

func (s *spy) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = nil
}

// count reports how many op calls were made, on key if key != "".
func (s *spy) count(op, key string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.calls {
		if c.op == op && (key == "" || c.key == key) {
			n++
		}
	}
	return n
}

// writes counts the calls that change the store.
func (s *spy) writes() int {
	return s.count("create", "") + s.count("commit", "") + s.count("rename", "") + s.count("increment", "") + s.count("delete", "")
}

// keys returns every key the manager passed to the store.
func (s *spy) keys() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, c := range s.calls {
		out = append(out, c.key)
		if c.key2 != "" {
			out = append(out, c.key2)
		}
	}
	return out
}

func (s *spy) renamed(from string) (to string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.calls {
		if c.op == "rename" && c.key == from {
			return c.key2, true
		}
	}
	return "", false
}

func (s *spy) Load(ctx context.Context, key string) (*sessions.Record, bool, error) {
	if err := s.record("load", key, ""); err != nil {
		return nil, false, err
	}
	rec, found, err := s.inner.Load(ctx, key)
	s.hold(&s.gate)
	s.mu.Lock()
	f := s.onLoad
	if f != nil && key == s.onLoadKey {
		s.onLoad = nil
	} else {
		f = nil
	}
	s.mu.Unlock()
	if f != nil {
		f()
	}
	return rec, found, err
}

func (s *spy) Create(ctx context.Context, key string, rec *sessions.Record) error {
	if err := s.record("create", key, ""); err != nil {
		return err
	}
	return s.inner.Create(ctx, key, rec)
}

func (s *spy) Commit(ctx context.Context, key string, d *sessions.Delta) error {
	if err := s.record("commit", key, ""); err != nil {
		return err
	}
	return s.inner.Commit(ctx, key, d)
}

func (s *spy) Delete(ctx context.Context, key string) error {
	if err := s.record("delete", key, ""); err != nil {
		return err
	}
	return s.inner.Delete(ctx, key)
}

func (s *spy) Increment(ctx context.Context, key, field string, by int64) (int64, error) {
	if err := s.record("increment", key, ""); err != nil {
		return 0, err
	}
	return s.inner.Increment(ctx, key, field, by)
}

func (s *spy) Rename(ctx context.Context, oldKey, newKey string, grace time.Duration) error {
	if err := s.record("rename", oldKey, newKey); err != nil {
		return err
	}
	return s.inner.Rename(ctx, oldKey, newKey, grace)
}

// RenameCommit passes a one-step rename to the inner store when it has one,
// recorded as a rename; a fault set for "rename" or "commit" fails it
// whole. Otherwise it answers errors.ErrUnsupported, and the manager
// renames and commits in two steps.
func (s *spy) RenameCommit(ctx context.Context, oldKey, newKey string, grace time.Duration, d *sessions.Delta) error {
	rc, ok := s.inner.(sessions.RenameCommitter)
	if !ok {
		return fmt.Errorf("securitytest: the store renames in two steps: %w", errors.ErrUnsupported)
	}
	s.mu.Lock()
	fault := cmp.Or(s.faults["rename"], s.faults["commit"])
	s.mu.Unlock()
	err := fault
	if err == nil {
		err = rc.RenameCommit(ctx, oldKey, newKey, grace, d)
		if errors.Is(err, errors.ErrUnsupported) {
			return err // not a call: the manager renames and commits next
		}
	}
	s.record("rename", oldKey, newKey)
	return err
}

func (s *spyIndex) UserSessions(ctx context.Context, user string) ([]sessions.Info, error) {
	if err := s.record("user_sessions", "", ""); err != nil {
		return nil, err
	}
	list, err := s.ux.UserSessions(ctx, user)
	s.hold(&s.lists)
	return list, err
}

func (s *spyIndex) DeleteUserSessions(ctx context.Context, user, exceptKey string) (int, error) {
	if err := s.record("delete_user_sessions", exceptKey, ""); err != nil {
		return 0, err
	}
	return s.ux.DeleteUserSessions(ctx, user, exceptKey)
}

// ---- events and logs ----

type eventLog struct {
	mu   sync.Mutex
	list []sessions.Event
}

func (l *eventLog) add(_ context.Context, e sessions.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.list = append(l.list, e)
}

// take returns the events so far and forgets them.
func (l *eventLog) take() []sessions.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.list
	l.list = nil
	return out
}

func kinds(list []sessions.Event) []string {
	out := make([]string, len(list))
	for i, e := range list {
		out[i] = e.Kind.String()
	}
	return out
}

func countKind(list []sessions.Event, k sessions.EventKind) int {
	n := 0
	for _, e := range list {
		if e.Kind == k {
			n++
		}
	}
	return n
}

// ---- the environment: a manager on a spied store behind a real server ----

type harness struct {
	newStore func(t *testing.T) sessions.Store
}

type env struct {
	m      *sessions.Manager
	inner  sessions.Store
	spy    *spy
	srv    *httptest.Server
	client *http.Client
	clock  *clock
	events *eventLog
	logs   *syncbuf.Buffer
	name   string

	ua      string       // User-Agent of every request unless a mod sets one
	sawUser atomic.Value // the user /secret's handler saw last

	histMu  sync.Mutex
	history []*result // every response, for greps

	// barrier lets a test hold /barrier between loading its session and
	// acting on it.
	loaded  chan struct{}
	release chan struct{}
}

// env starts a manager with opts over a fresh store behind an httptest TLS
// server. Unless opts says otherwise, the clock is fake, events go to
// e.events and logs to e.logs.
func (h *harness) env(t *testing.T, opts sessions.Options) *env {
	t.Helper()
	inner := h.newStore(t)
	sp, store := newSpy(inner)
	e := &env{
		inner:   inner,
		spy:     sp,
		clock:   newClock(),
		events:  &eventLog{},
		logs:    &syncbuf.Buffer{},
		loaded:  make(chan struct{}),
		release: make(chan struct{}),
	}
	if opts.Now == nil {
		opts.Now = e.clock.Now
	}
	if opts.OnEvent == nil {
		opts.OnEvent = e.events.add
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	m, err := sessions.NewManager(store, opts)
	if err != nil {
		t.Fatalf("NewManager: %v", err)
	}
	e.m = m
	e.name = m.CookieName()
	e.srv = httptest.NewUnstartedServer(m.Handler(e.app()))
	// Handshakes cut short when the test closes the server are not news.
	e.srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	e.srv.StartTLS()
	t.Cleanup(e.srv.Close)
	e.client = e.srv.Client()
	// Keep a connection per parallel client: a TLS handshake per request
	// would dominate the suite's run time.
	e.client.Transport.(*http.Transport).MaxIdleConnsPerHost = 64
	e.client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return e
}

// app is the application the suite drives. /whoami is the "protected"
// handler: it reports the user and two values a test may have stored.
func (e *env) app() http.Handler {
	m := e.m
	mux := http.NewServeMux()
	mux.HandleFunc("GET /whoami", func(w http.ResponseWriter, r *http.Request) {
		s := m.Start(w, r)
		fmt.Fprintf(w, "user=%s\ncart=%s\nplanted=%s\n", s.User(), s.GetString("cart"), s.GetString("planted"))
	})
	mux.HandleFunc("GET /secret", func(w http.ResponseWriter, r *http.Request) {
		s := m.Start(w, r)
		e.sawUser.Store(s.User())
		w.Header().Set("X-Handler", "ran")
		fmt.Fprintf(w, "SECRET-OUTPUT for user=%s", s.User())
	})
	mux.HandleFunc("GET /set", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		m.Start(w, r).Set(q.Get("k"), q.Get("v"))
		fmt.Fprint(w, "ok")
	})
	mux.HandleFunc("GET /id", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, m.Start(w, r).ID())
	})
	mux.HandleFunc("GET /token", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, m.Start(w, r).CSRFToken())
	})
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		if err := m.Start(w, r).Login(r.URL.Query().Get("user")); err != nil {
			http.Error(w, "login refused", http.StatusConflict)
			return
		}
		fmt.Fprint(w, "welcome")
	})
	mux.HandleFunc("POST /login-redirect", func(w http.ResponseWriter, r *http.Request) {
		if err := m.Start(w, r).Login(r.URL.Query().Get("user")); err != nil {
			http.Error(w, "login refused", http.StatusConflict)
			return
		}
		http.Redirect(w, r, "/whoami", http.StatusSeeOther)
	})
	mux.HandleFunc("POST /logout", func(w http.ResponseWriter, r *http.Request) {
		m.Destroy(w, r)
		fmt.Fprint(w, "bye")
	})
	mux.HandleFunc("/action", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "done")
	})
	mux.HandleFunc("/hooks", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "hooks-exact") })
	mux.HandleFunc("/hooks/", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "hooks-tree") })
	mux.HandleFunc("GET /renew", func(w http.ResponseWriter, r *http.Request) {
		m.Start(w, r).Renew()
		fmt.Fprint(w, "renewed")
	})
	mux.HandleFunc("GET /incr", func(w http.ResponseWriter, r *http.Request) {
		n, err := m.Start(w, r).Increment("n", 1)
		fmt.Fprintf(w, "n=%d err=%v", n, err != nil)
	})
	mux.HandleFunc("GET /recent", func(w http.ResponseWriter, r *http.Request) {
		d, _ := time.ParseDuration(r.URL.Query().Get("d"))
		fmt.Fprintf(w, "recent=%t", m.Start(w, r).RequireRecentAuth(d))
	})
	mux.HandleFunc("POST /revoke-others", func(w http.ResponseWriter, r *http.Request) {
		s := m.Start(w, r)
		n, err := m.DestroyUserSessions(r.Context(), s.User(), s.ID())
		fmt.Fprintf(w, "revoked=%d err=%v", n, err)
	})
	mux.HandleFunc("POST /revoke", func(w http.ResponseWriter, r *http.Request) {
		s := m.Start(w, r)
		ok, err := m.DestroySession(r.Context(), s.User(), r.URL.Query().Get("h"))
		fmt.Fprintf(w, "revoked=%t err=%v", ok, err)
	})
	mux.HandleFunc("GET /list", func(w http.ResponseWriter, r *http.Request) {
		s := m.Start(w, r)
		list, err := m.UserSessions(r.Context(), s.User())
		fmt.Fprintf(w, "count=%d err=%v\n", len(list), err)
		for _, in := range list {
			fmt.Fprintf(w, "%s\n", in.Key)
		}
	})
	mux.HandleFunc("GET /barrier", func(w http.ResponseWriter, r *http.Request) {
		s := m.Start(w, r)
		s.Get("cart")
		e.loaded <- struct{}{}
		<-e.release
		switch op := r.URL.Query().Get("op"); op {
		case "set":
			s.Set("cart", "written-after-logout")
		case "renew":
			s.Renew()
		case "login":
			_ = s.Login("mallory")
		case "increment":
			_, _ = s.Increment("n", 1)
		case "token":
			_ = s.CSRFToken()
		default:
			panic("unknown op " + op)
		}
		fmt.Fprint(w, "released")
	})
	mux.HandleFunc("GET /race", func(w http.ResponseWriter, r *http.Request) {
		s := m.Start(w, r)
		op := r.URL.Query().Get("op")
		var wg sync.WaitGroup
		for g := range 2 {
			wg.Go(func() {
				switch op {
				case "get":
					s.Get("cart")
					s.User()
				case "set":
					s.Set(fmt.Sprintf("k%d", g), g)
				case "increment":
					_, _ = s.Increment("n", 1)
				case "renew":
					s.Renew()
				case "destroy":
					s.Destroy()
				}
			})
		}
		wg.Wait()
		fmt.Fprint(w, "raced")
	})
	return mux
}

// ---- requests ----

type result struct {
	code    int
	body    string
	header  http.Header
	cookies []*http.Cookie // every Set-Cookie, parsed with http.ParseSetCookie
}

// sessionCookie returns the last Set-Cookie for the session cookie, or nil.
func (r *result) sessionCookie(name string) *http.Cookie {
	var out *http.Cookie
	for _, c := range r.cookies {
		if c.Name == name {
			out = c
		}
	}
	return out
}

// field returns the value of a "name=value" line of the body.
func (r *result) field(name string) string {
	for line := range strings.SplitSeq(r.body, "\n") {
		if v, ok := strings.CutPrefix(line, name+"="); ok {
			return v
		}
	}
	return ""
}

type mod func(*http.Request)

func withHeader(k, v string) mod { return func(r *http.Request) { r.Header.Set(k, v) } }

// withCookieHeader replaces the whole Cookie header.
func withCookieHeader(v string) mod { return func(r *http.Request) { r.Header.Set("Cookie", v) } }

func withUA(ua string) mod { return func(r *http.Request) { r.Header.Set("User-Agent", ua) } }

func withForm(v url.Values) mod {
	return func(r *http.Request) {
		body := v.Encode()
		r.Body = io.NopCloser(strings.NewReader(body))
		r.ContentLength = int64(len(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
}

func withMultipart(field, value string) mod {
	return func(r *http.Request) {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		_ = mw.WriteField(field, value)
		_ = mw.Close()
		r.Body = io.NopCloser(bytes.NewReader(b.Bytes()))
		r.ContentLength = int64(b.Len())
		r.Header.Set("Content-Type", mw.FormDataContentType())
	}
}

// do sends one request with the session cookie id (none if "").
func (e *env) do(t *testing.T, method, target, id string, mods ...mod) *result {
	t.Helper()
	r, err := e.doErr(t, method, target, id, mods...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// doErr is do for goroutines other than the test's: it reports failure as
// an error instead of stopping the test.
func (e *env) doErr(t *testing.T, method, target, id string, mods ...mod) (*result, error) {
	req, err := http.NewRequestWithContext(t.Context(), method, e.srv.URL+target, nil)
	if err != nil {
		return nil, err
	}
	if id != "" {
		req.Header.Set("Cookie", e.name+"="+id)
	}
	if e.ua != "" {
		req.Header.Set("User-Agent", e.ua)
	}
	for _, m := range mods {
		m(req)
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, target, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: reading body: %w", method, target, err)
	}
	res := &result{code: resp.StatusCode, body: string(body), header: resp.Header}
	for _, line := range resp.Header.Values("Set-Cookie") {
		c, err := http.ParseSetCookie(line)
		if err != nil {
			return nil, fmt.Errorf("%s %s: unparsable Set-Cookie %q: %w", method, target, line, err)
		}
		res.cookies = append(res.cookies, c)
	}
	e.histMu.Lock()
	e.history = append(e.history, res)
	e.histMu.Unlock()
	return res, nil
}

// responses returns every response received so far.
func (e *env) responses() []*result {
	e.histMu.Lock()
	defer e.histMu.Unlock()
	return append([]*result(nil), e.history...)
}

// issued returns the session ID r sets, or "" when it sets none (or clears
// the cookie).
func (e *env) issued(r *result) string {
	if c := r.sessionCookie(e.name); c != nil && c.MaxAge >= 0 {
		return c.Value
	}
	return ""
}

// newSession starts an anonymous session holding cart=value and returns its ID.
func (e *env) newSession(t *testing.T, cart string) string {
	t.Helper()
	r := e.do(t, "GET", "/set?k=cart&v="+url.QueryEscape(cart), "")
	id := e.issued(r)
	if r.code != http.StatusOK || id == "" {
		t.Fatalf("GET /set: status %d, session cookie %q; want 200 and a new session", r.code, id)
	}
	return id
}

// token returns a CSRF token for the session id (starting one if id is ""),
// and the session's ID afterwards.
func (e *env) token(t *testing.T, id string) (tok, newID string) {
	t.Helper()
	r := e.do(t, "GET", "/token", id)
	if r.code != http.StatusOK || r.body == "" {
		t.Fatalf("GET /token: status %d, body %q", r.code, r.body)
	}
	if n := e.issued(r); n != "" {
		id = n
	}
	return r.body, id
}

// login logs user in on session id (a new session if "") the way a browser
// does: fetch the form's token, post it. It returns the new session ID.
func (e *env) login(t *testing.T, id, user string) string {
	t.Helper()
	tok, id := e.token(t, id)
	r := e.do(t, "POST", "/login?user="+url.QueryEscape(user), id, withHeader("X-CSRF-Token", tok))
	n := e.issued(r)
	if r.code != http.StatusOK || n == "" {
		t.Fatalf("POST /login as %s: status %d %q, new ID %q; want 200 and a new ID", user, r.code, r.body, n)
	}
	return n
}

// post sends an unsafe request with a valid CSRF token for id.
func (e *env) post(t *testing.T, target, id string, mods ...mod) *result {
	t.Helper()
	tok, id2 := e.token(t, id)
	if id != "" && id2 != id {
		t.Fatalf("fetching a token for an existing session changed its ID")
	}
	return e.do(t, "POST", target, id2, append([]mod{withHeader("X-CSRF-Token", tok)}, mods...)...)
}

// whoami returns the user the protected handler sees with cookie id.
func (e *env) whoami(t *testing.T, id string, mods ...mod) (string, *result) {
	t.Helper()
	r := e.do(t, "GET", "/whoami", id, mods...)
	if r.code != http.StatusOK {
		t.Fatalf("GET /whoami: status %d %q", r.code, r.body)
	}
	return r.field("user"), r
}

// live reports whether the store still holds a session for id, asking the
// store directly (not through the spy).
func (e *env) live(t *testing.T, id string) bool {
	t.Helper()
	_, found, err := e.inner.Load(t.Context(), sessions.KeyOf(id))
	if err != nil {
		t.Fatalf("store Load: %v", err)
	}
	return found
}

func (e *env) record(t *testing.T, id string) *sessions.Record {
	t.Helper()
	rec, found, err := e.inner.Load(t.Context(), sessions.KeyOf(id))
	if err != nil || !found {
		t.Fatalf("store Load of a session that should be live: found=%v err=%v", found, err)
	}
	return rec
}

// assertAnon checks that cookie id gets no identity: the protected handler
// sees no user and no stored value, the response does not re-issue id, and
// the store holds nothing under id.
func (e *env) assertAnon(t *testing.T, id, why string) {
	t.Helper()
	user, r := e.whoami(t, id)
	if user != "" || r.field("cart") != "" {
		t.Errorf("%s: handler saw user=%q cart=%q, want an anonymous session", why, user, r.field("cart"))
	}
	if c := r.sessionCookie(e.name); c != nil && c.Value == id {
		t.Errorf("%s: the response re-issued the dead ID", why)
	}
	if e.live(t, id) {
		t.Errorf("%s: the store still holds a session under the dead ID", why)
	}
}

// assertUser checks that cookie id is a live session of user.
func (e *env) assertUser(t *testing.T, id, user, why string) {
	t.Helper()
	if got, _ := e.whoami(t, id); got != user {
		t.Errorf("%s: handler saw user=%q, want %q", why, got, user)
	}
}

// follow is a browser's request: it checks that *id is a live session of
// user and takes the new ID when the response rotates it.
func (e *env) follow(t *testing.T, id *string, user, why string) {
	t.Helper()
	got, r := e.whoami(t, *id)
	if got != user {
		t.Fatalf("%s: handler saw user=%q, want %q", why, got, user)
	}
	if n := e.issued(r); n != "" {
		*id = n
	}
}

// randomID returns a well-formed session ID that no server issued.
func randomID(t *testing.T) string {
	t.Helper()
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// unmask reverses the per-response masking of a CSRF token, giving the
// session's secret, or nil for a token of the wrong shape.
func unmask(tok string) []byte {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(b)%2 != 0 || len(b) == 0 {
		return nil
	}
	n := len(b) / 2
	out := make([]byte, n)
	for i := range n {
		out[i] = b[i] ^ b[n+i]
	}
	return out
}
