package sessions_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
)

// twoStartsCase is one case of TestTwoStartsOneRequest.
type twoStartsCase struct {
	name   string
	stored bool // the request carries a stored session with name=kataras
	first  func(m *sessions.Manager, a *sessions.Session, w http.ResponseWriter, r *http.Request)
	want   map[string]any // the values the next request reads, with the other's Set of y=2
	user   string
}

// TestTwoStartsOneRequest checks that, without the middleware, two
// Sessions that Start gave one request (a helper that calls Start, then
// the handler) act as one session even when both were read before either
// changed it: a session one of them creates, renews, logs in or destroys
// is the one the other writes to next, so the client gets one cookie, the
// store one record, and no write is lost. With the cookie store, where
// the cookie is the session, the same holds of the cookie.
func TestTwoStartsOneRequest(t *testing.T) {
	for _, tc := range []twoStartsCase{
		{"new session: both Set", false,
			func(_ *sessions.Manager, a *sessions.Session, _ http.ResponseWriter, _ *http.Request) { a.Set("x", 1) },
			map[string]any{"x": 1, "y": 2}, ""},
		{"new session: Increment, then Set", false,
			func(_ *sessions.Manager, a *sessions.Session, _ http.ResponseWriter, _ *http.Request) {
				a.Increment("x", 1)
			},
			map[string]any{"x": 1, "y": 2}, ""},
		{"stored session: both Set", true,
			func(_ *sessions.Manager, a *sessions.Session, _ http.ResponseWriter, _ *http.Request) { a.Set("x", 1) },
			map[string]any{"name": "kataras", "x": 1, "y": 2}, ""},
		{"stored session: Renew, then Set", true,
			func(_ *sessions.Manager, a *sessions.Session, _ http.ResponseWriter, _ *http.Request) { a.Renew() },
			map[string]any{"name": "kataras", "y": 2}, ""},
		{"stored session: Login, then Set", true,
			func(_ *sessions.Manager, a *sessions.Session, _ http.ResponseWriter, _ *http.Request) { a.Login("bob") },
			map[string]any{"y": 2}, "bob"},
		{"stored session: Manager.Destroy, then Set", true,
			func(m *sessions.Manager, _ *sessions.Session, w http.ResponseWriter, r *http.Request) {
				m.Destroy(w, r)
			},
			map[string]any{"y": 2}, ""},
	} {
		for _, cookieStore := range []bool{false, true} {
			name := tc.name
			if cookieStore {
				name += "/cookie store"
			}
			t.Run(name, func(t *testing.T) { testTwoStarts(t, tc, cookieStore) })
		}
	}
}

// testTwoStarts runs tc with the memory store or the cookie store.
func testTwoStarts(t *testing.T, tc twoStartsCase, cookieStore bool) {
	mem := memory.New(memory.Options{})
	t.Cleanup(func() { mem.Close() })
	var st sessions.Store = mem
	if cookieStore {
		st = newCookieStore(t)
	}
	m, err := sessions.NewManager(st, sessions.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var old string
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	if tc.stored {
		old = seedSession(t, m)
		r.AddCookie(&http.Cookie{Name: m.CookieName(), Value: old})
	}
	w := httptest.NewRecorder()
	a, b := m.Start(w, r), m.Start(w, r)
	a.Get("name") // both read first
	b.Get("name")
	tc.first(m, a, w, r)
	b.Set("y", 2)
	if err := b.Err(); err != nil {
		t.Fatalf("second Session's Err() = %v", err)
	}
	if got := b.IsNew(); got != !tc.stored {
		t.Errorf("second Session's IsNew() = %v, want %v: it is about the session the request arrived with", got, !tc.stored)
	}

	// The cookie the client keeps: one the response sets, or the one it
	// had when only the values of its stored session changed.
	c := &http.Cookie{Name: m.CookieName(), Value: old}
	switch cs := w.Result().Cookies(); {
	case len(cs) > 1 || (len(cs) == 1 && cs[0].Value == ""):
		t.Fatalf("cookies %v; want one at most, naming a session", cs)
	case len(cs) == 1:
		c = cs[0]
	case !tc.stored:
		t.Fatal("no cookie for the new session")
	}
	if n := mem.Len(); !cookieStore && n != 1 {
		t.Errorf("store holds %d sessions, want 1: the other is orphaned", n)
	}
	r = httptest.NewRequest(http.MethodGet, "/", nil)
	r.AddCookie(c)
	next := m.Start(httptest.NewRecorder(), r)
	if got := next.GetAll(); !equalValues(got, tc.want) {
		t.Errorf("next request reads %v, want %v", got, tc.want)
	}
	if got := next.User(); got != tc.user {
		t.Errorf("next request's User() = %q, want %q", got, tc.user)
	}
}

// TestTwoStartsCookieStoreOpensOnce checks what following the other
// Session costs with the cookie store: a Session opens the cookie another
// Session of the request set once, and never the cookie it set itself.
func TestTwoStartsCookieStoreOpensOnce(t *testing.T) {
	st := newCountingCookieStore(t)
	m, err := sessions.NewManager(st, sessions.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.AddCookie(&http.Cookie{Name: m.CookieName(), Value: seedSession(t, m)})
	w := httptest.NewRecorder()
	a, b := m.Start(w, r), m.Start(w, r)
	a.Get("name")
	b.Get("name")
	st.opens.Store(0)
	a.Set("x", 1)
	for range 3 {
		a.Get("x")
	}
	if n := st.opens.Load(); n != 0 {
		t.Errorf("the Session that set the cookie opened %d cookies reading it back, want 0", n)
	}
	for range 3 {
		if got := b.Get("x"); got != 1 {
			t.Fatalf("the other Session reads x = %v, want 1", got)
		}
	}
	if n := st.opens.Load(); n != 1 {
		t.Errorf("the other Session opened %d cookies following it, want 1", n)
	}
}
