package sessions_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
)

// countingStore counts store calls by kind.
type countingStore struct {
	sessions.Store
	loads, creates, commits atomic.Int32
}

func (c *countingStore) Load(ctx context.Context, key string) (*sessions.Record, bool, error) {
	c.loads.Add(1)
	return c.Store.Load(ctx, key)
}

func (c *countingStore) Create(ctx context.Context, key string, r *sessions.Record) error {
	c.creates.Add(1)
	return c.Store.Create(ctx, key, r)
}

func (c *countingStore) Commit(ctx context.Context, key string, d *sessions.Delta) error {
	c.commits.Add(1)
	return c.Store.Commit(ctx, key, d)
}

func newTestManager(t *testing.T, opts sessions.Options) (*sessions.Manager, *countingStore) {
	t.Helper()
	mem := memory.New(memory.Options{})
	t.Cleanup(func() { mem.Close() })
	store := &countingStore{Store: mem}
	m, err := sessions.NewManager(store, opts)
	if err != nil {
		t.Fatal(err)
	}
	return m, store
}

// TestCommitBeforeFirstByte checks that every way a handler can start the
// response carries the session cookie.
func TestCommitBeforeFirstByte(t *testing.T) {
	cases := []struct {
		name    string
		handler func(w http.ResponseWriter, s *sessions.Session)
		commits int32 // commits after the create
	}{
		{"write nothing", func(w http.ResponseWriter, s *sessions.Session) { s.Set("k", 1) }, 0},
		{"WriteHeader", func(w http.ResponseWriter, s *sessions.Session) { s.Set("k", 1); w.WriteHeader(http.StatusCreated) }, 0},
		{"Write", func(w http.ResponseWriter, s *sessions.Session) { s.Set("k", 1); w.Write([]byte("hi")) }, 0},
		{"Flush", func(w http.ResponseWriter, s *sessions.Session) {
			s.Set("k", 1)
			http.NewResponseController(w).Flush()
			s.Set("late", 2) // after the commit: written through at once
		}, 1},
		{"headers then Write", func(w http.ResponseWriter, s *sessions.Session) {
			w.Header().Set("X-App", "1")
			s.Set("k", 1)
			w.Write([]byte("hi"))
		}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, store := newTestManager(t, sessions.Options{})
			done := make(chan struct{})
			h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				tc.handler(w, m.Start(w, r))
			}))
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				h.ServeHTTP(w, r)
				close(done)
			}))
			defer srv.Close()
			resp, err := srv.Client().Get(srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			// A value set after a flush is written while the client
			// already reads the response: count the store's writes once
			// the middleware is done.
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("the handler did not finish")
			}
			cs := resp.Cookies()
			if len(cs) != 1 || cs[0].Name != sessions.DefaultCookieName {
				t.Fatalf("cookies = %v, want the session cookie", cs)
			}
			if got := resp.Header.Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control = %q, want no-store", got)
			}
			if store.creates.Load() != 1 || store.commits.Load() != tc.commits {
				t.Errorf("store calls: %d creates, %d commits; want one create and %d commits", store.creates.Load(), store.commits.Load(), tc.commits)
			}
		})
	}
}

func TestUntouchedSessionCostsNothing(t *testing.T) {
	m, store := newTestManager(t, sessions.Options{})
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) }))
	id := seedSession(t, m)
	store.loads.Store(0)
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/", nil)
	req.AddCookie(&http.Cookie{Name: sessions.DefaultCookieName, Value: id})
	h.ServeHTTP(rec, req)
	if n := store.loads.Load(); n != 0 {
		t.Fatalf("a handler that never touches the session made %d loads", n)
	}
	if len(rec.Result().Cookies()) != 0 {
		t.Fatal("untouched session set a cookie")
	}
}

func TestReadOnlyRequestOneLoadNoWrite(t *testing.T) {
	m, store := newTestManager(t, sessions.Options{})
	id := seedSession(t, m)
	store.loads.Store(0)
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := m.Start(w, r)
		_ = s.GetString("name")
		_ = s.Get("other")
		_ = s.GetAll()
	}))
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/", nil)
	req.AddCookie(&http.Cookie{Name: sessions.DefaultCookieName, Value: id})
	h.ServeHTTP(rec, req)
	if store.loads.Load() != 1 || store.commits.Load() != 0 || store.creates.Load() != 1 {
		t.Fatalf("read-only request: %d loads, %d commits; want 1 load, 0 commits", store.loads.Load(), store.commits.Load())
	}
	if len(rec.Result().Cookies()) != 0 {
		t.Fatal("read-only request re-issued the cookie")
	}
	if rec.Header().Get("Vary") != "Cookie" {
		t.Errorf("Vary = %q, want Cookie", rec.Header().Get("Vary"))
	}
}

// seedSession creates a session holding name=kataras and returns its ID.
func seedSession(t *testing.T, m *sessions.Manager) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.Start(w, r).Set("name", "kataras")
	})).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	cs := rec.Result().Cookies()
	if len(cs) != 1 {
		t.Fatalf("no session cookie issued: %v", cs)
	}
	return cs[0].Value
}

// serveCookie sends a GET of target to h with the session cookie c, if
// any, and returns the recorded response.
func serveCookie(h http.Handler, target string, c *http.Cookie) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodGet, target, nil)
	if c != nil {
		r.AddCookie(c)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// do runs handler through the middleware with the session cookie id.
func do(t *testing.T, m *sessions.Manager, id string, handler func(s *sessions.Session)) *http.Response {
	t.Helper()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/", nil)
	if id != "" {
		req.AddCookie(&http.Cookie{Name: m.CookieName(), Value: id})
	}
	m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handler(m.Start(w, r))
	})).ServeHTTP(rec, req)
	return rec.Result()
}

func TestSessionAPI(t *testing.T) {
	m, _ := newTestManager(t, sessions.Options{})
	id := seedSession(t, m)
	when := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	do(t, m, id, func(s *sessions.Session) {
		s.Set("i", 7)
		s.Set("i64", int64(1)<<40)
		s.Set("f", 2.5)
		s.Set("b", true)
		s.Set("t", when)
		s.Set("d", time.Second)
		s.Set("gone", "x")
		s.Delete("gone")
		s.AddFlash("saved")
		s.AddFlash("again")
	})
	do(t, m, id, func(s *sessions.Session) {
		for _, c := range []struct {
			name      string
			got, want any
		}{
			{"GetString", s.GetString("name"), "kataras"},
			{"GetString of int", s.GetString("i"), ""},
			{"GetInt", s.GetInt("i"), 7},
			{"GetInt64", s.GetInt64("i64"), int64(1) << 40},
			{"GetInt64 of int", s.GetInt64("i"), int64(7)},
			{"GetFloat64", s.GetFloat64("f"), 2.5},
			{"GetBool", s.GetBool("b"), true},
			{"GetTime", s.GetTime("t"), when},
			{"GetDuration", s.GetDuration("d"), time.Second},
			{"Get absent", s.Get("gone"), nil},
			{"Pop", s.Pop("name"), "kataras"},
			{"after Pop", s.Get("name"), nil},
			{"IsNew", s.IsNew(), false},
		} {
			if c.got != c.want {
				t.Errorf("%s = %#v, want %#v", c.name, c.got, c.want)
			}
		}
		if f := s.Flashes(); len(f) != 2 || f[0] != "saved" || f[1] != "again" {
			t.Errorf("Flashes = %v", f)
		}
		if n, ok := sessions.Get[int](s, "i"); !ok || n != 7 {
			t.Errorf("Get[int] = %v, %v", n, ok)
		}
		seen := 0
		s.VisitAll(func(k string, v any) { seen++ })
		if seen != len(s.GetAll()) || seen == 0 {
			t.Errorf("VisitAll visited %d of %d", seen, len(s.GetAll()))
		}
	})
	do(t, m, id, func(s *sessions.Session) {
		if s.Get("name") != nil || len(s.Flashes()) != 0 {
			t.Errorf("Pop and Flashes did not remove their values")
		}
	})
}

func TestRenewKeepsDataKillsOldID(t *testing.T) {
	m, _ := newTestManager(t, sessions.Options{})
	id := seedSession(t, m)
	var handle string
	resp := do(t, m, id, func(s *sessions.Session) { handle = s.ID(); s.Renew() })
	cs := resp.Cookies()
	if len(cs) != 1 || cs[0].Value == id {
		t.Fatalf("Renew cookies = %v, want a new ID", cs)
	}
	do(t, m, id, func(s *sessions.Session) {
		if !s.IsNew() || s.Get("name") != nil {
			t.Errorf("old ID still reaches the session after Renew")
		}
	})
	do(t, m, cs[0].Value, func(s *sessions.Session) {
		if s.GetString("name") != "kataras" || s.ID() == handle {
			t.Errorf("renewed session: name=%q, handle changed=%v", s.GetString("name"), s.ID() != handle)
		}
	})
}

func TestRotationAfterAge(t *testing.T) {
	now := time.Now()
	clock := func() time.Time { return now }
	m, _ := newTestManager(t, sessions.Options{Now: clock, RotateAfter: 10 * time.Minute, RotateGrace: 30 * time.Second})
	id := seedSession(t, m)
	now = now.Add(10*time.Minute + time.Second)
	resp := do(t, m, id, func(s *sessions.Session) { _ = s.Get("name") })
	cs := resp.Cookies()
	if len(cs) != 1 || cs[0].Value == id {
		t.Fatalf("no rotation after the age: %v", cs)
	}
	// In-flight requests with the old ID still work during the grace.
	do(t, m, id, func(s *sessions.Session) {
		if s.GetString("name") != "kataras" {
			t.Errorf("old ID rejected during the grace")
		}
	})
}

// noAliasStore is a store whose Load does not report grace aliases
// (sessions.ReportAlias), as a third-party store may not.
type noAliasStore struct{ sessions.Store }

func (s noAliasStore) Load(ctx context.Context, key string) (*sessions.Record, bool, error) {
	return s.Store.Load(noValues{ctx}, key)
}

type noValues struct{ context.Context }

func (noValues) Value(any) any { return nil }

// TestLogoutWithOldIDWithoutAliasReports checks that a logout sent with the
// rotated ID within the grace ends the renamed session on a store that does
// not report aliases: the manager then only knows the old key, and deleting
// it alone would end just the grace.
func TestLogoutWithOldIDWithoutAliasReports(t *testing.T) {
	now := time.Now()
	mem := memory.New(memory.Options{})
	t.Cleanup(func() { mem.Close() })
	m, err := sessions.NewManager(noAliasStore{mem}, sessions.Options{Now: func() time.Time { return now }, RotateAfter: 10 * time.Minute, RotateGrace: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	id := seedSession(t, m)
	now = now.Add(10*time.Minute + time.Second)
	cs := do(t, m, id, func(s *sessions.Session) { _ = s.Get("name") }).Cookies()
	if len(cs) != 1 || cs[0].Value == id {
		t.Fatalf("no rotation after the age: %v", cs)
	}
	do(t, m, id, func(s *sessions.Session) { s.Destroy() })
	do(t, m, cs[0].Value, func(s *sessions.Session) {
		if s.GetString("name") != "" {
			t.Errorf("the rotated session survived a logout sent with the old ID within the grace")
		}
	})
}

func TestWriteThroughWithoutMiddleware(t *testing.T) {
	m, store := newTestManager(t, sessions.Options{})
	rec := httptest.NewRecorder()
	s := m.Start(rec, httptest.NewRequest("GET", "/", nil))
	s.Set("a", 1)
	s.Set("b", 2)
	if store.creates.Load() != 1 || store.commits.Load() != 1 {
		t.Fatalf("write-through: %d creates, %d commits; want 1 and 1", store.creates.Load(), store.commits.Load())
	}
	n, err := s.Increment("a", 5)
	if err != nil || n != 6 || s.GetInt("a") != 6 {
		t.Fatalf("Increment = %d, %v; Get = %d", n, err, s.GetInt("a"))
	}
}

func TestConfigErrors(t *testing.T) {
	mem := memory.New(memory.Options{})
	defer mem.Close()
	for _, tc := range []struct {
		name string
		opts sessions.Options
	}{
		{"insecure without AllowInsecure", sessions.Options{Secure: sessions.SecureNever}},
		{"__Host- with Domain", sessions.Options{CookieName: "__Host-id", Domain: "example.com"}},
		{"__Host- with Path", sessions.Options{CookieName: "__Host-id", Path: "/app"}},
		{"__HOST- not Secure", sessions.Options{CookieName: "__HOST-id", Secure: sessions.SecureNever, AllowInsecure: true}},
		{"__Secure- not Secure", sessions.Options{CookieName: "__Secure-id", Secure: sessions.SecureIfTLS, AllowInsecure: true}},
		{"SameSite None not Secure", sessions.Options{CookieName: "sid", SameSite: http.SameSiteNoneMode, Secure: sessions.SecureNever, AllowInsecure: true}},
		{"Partitioned not Secure", sessions.Options{CookieName: "sid", Partitioned: true, Secure: sessions.SecureNever, AllowInsecure: true}},
		{"bad cookie name", sessions.Options{CookieName: "a b"}},
		{"grace too long", sessions.Options{RotateAfter: time.Hour, RotateGrace: 2 * time.Minute}},
		{"bare trusted origin", sessions.Options{CSRF: sessions.CSRFOptions{TrustedOrigins: []string{"a.example"}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := sessions.NewManager(mem, tc.opts); err == nil {
				t.Fatalf("NewManager accepted %+v", tc.opts)
			}
		})
	}
}

func TestUnknownStoreName(t *testing.T) {
	_, err := sessions.Open("nosuch", sessions.Options{})
	if err == nil || !strings.Contains(err.Error(), "memory") {
		t.Fatalf("Open(nosuch) = %v, want an error naming the registered stores", err)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("New with an unknown store did not panic")
		}
	}()
	sessions.New("nosuch", "sid", time.Hour)
}

func TestWriteThroughSavesActivity(t *testing.T) {
	now := time.Now()
	m, store := newTestManager(t, sessions.Options{Now: func() time.Time { return now }, IdleTimeout: 10 * time.Minute})
	id := seedSession(t, m)
	// Read-only requests without the middleware, each after 6 minutes: the
	// session stays alive because each read records the activity.
	for i := range 3 {
		now = now.Add(6 * time.Minute)
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "/", nil)
		req.AddCookie(&http.Cookie{Name: m.CookieName(), Value: id})
		if got := m.Start(rec, req).GetString("name"); got != "kataras" {
			t.Fatalf("read %d after %v idle: name = %q, want the session kept alive", i, 6*time.Minute, got)
		}
	}
	if store.commits.Load() != 3 {
		t.Errorf("%d commits for 3 due activity refreshes, want 3", store.commits.Load())
	}
}

// TestSessionResponseWriter checks Session.ResponseWriter: inside Handler
// it is the writer the handler got (writing through it commits first),
// outside Handler nil.
func TestSessionResponseWriter(t *testing.T) {
	m, _ := newTestManager(t, sessions.Options{})
	rec := httptest.NewRecorder()
	m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := m.Start(w, r)
		if got := s.ResponseWriter(); got != w {
			t.Errorf("inside Handler: ResponseWriter() = %T %p, want the handler's writer %p", got, got, w)
		}
		s.Set("k", 1)
		s.ResponseWriter().Write([]byte("x"))
	})).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if len(rec.Result().Cookies()) != 1 {
		t.Errorf("a write through ResponseWriter() did not commit the session first: cookies %v", rec.Result().Cookies())
	}
	s := m.Start(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	if got := s.ResponseWriter(); got != nil {
		t.Errorf("outside Handler: ResponseWriter() = %T, want nil", got)
	}
}

// TestVaryCookieBesideHandlerVary checks that a response of a request that
// used its session says "Vary: Cookie" whatever Vary values the handler set
// itself: a shared cache must never serve one user's page to another. A
// header that merely contains the letters "Cookie" inside another field
// name (X-Cookie-Consent, Set-Cookie) is not "Vary: Cookie".
func TestVaryCookieBesideHandlerVary(t *testing.T) {
	cases := []struct {
		name string
		vary []string // what the handler sets before the commit
	}{
		{"none", nil},
		{"other field", []string{"Accept-Encoding"}},
		{"field containing Cookie", []string{"X-Cookie-Consent"}},
		{"Set-Cookie", []string{"Set-Cookie"}},
		{"list with a Cookie-like field", []string{"Accept-Encoding, X-Cookie-Consent"}},
		{"already Cookie", []string{"Accept-Encoding, Cookie"}},
		{"already cookie, lower case", []string{"cookie"}},
	}
	hasCookie := func(values []string) bool {
		for _, v := range values {
			for part := range strings.SplitSeq(v, ",") {
				if strings.EqualFold(strings.TrimSpace(part), "Cookie") {
					return true
				}
			}
		}
		return false
	}
	for _, tc := range cases {
		for _, write := range []bool{false, true} {
			name := tc.name + "/read"
			if write {
				name = tc.name + "/write"
			}
			t.Run(name, func(t *testing.T) {
				m, _ := newTestManager(t, sessions.Options{})
				id := seedSession(t, m)
				h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					for _, v := range tc.vary {
						w.Header().Add("Vary", v)
					}
					s := m.Start(w, r)
					if write {
						s.Set("name", "changed")
					} else {
						_ = s.GetString("name")
					}
				}))
				rec := httptest.NewRecorder()
				req := httptest.NewRequest("GET", "/", nil)
				req.AddCookie(&http.Cookie{Name: sessions.DefaultCookieName, Value: id})
				h.ServeHTTP(rec, req)
				if got := rec.Header().Values("Vary"); !hasCookie(got) {
					t.Errorf("Vary = %q, want it to include Cookie", got)
				}
			})
		}
	}
}
