package sessions_test

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/cookie"
)

// Helpers for the tests comparing the memory store, which keeps Go values,
// with the cookie store, which encodes them (as bbolt, Redis and PostgreSQL
// do).

// newCookieStore returns a cookie store with a fresh key.
func newCookieStore(t *testing.T) sessions.Store {
	t.Helper()
	k, err := cookie.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	s, err := cookie.New(k)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// parityRoundTrip sets values in one request and returns what read sees in
// the next.
func parityRoundTrip(t *testing.T, m *sessions.Manager, values map[string]any, read func(*sessions.Session) map[string]any) map[string]any {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := m.Start(w, r)
		for k, v := range values {
			s.Set(k, v)
		}
	})).ServeHTTP(rec, httptest.NewRequest("GET", "https://example.com/", nil))
	cs := rec.Result().Cookies()
	if len(cs) != 1 {
		t.Fatalf("first request: cookies %v, want the session cookie", cs)
	}
	var out map[string]any
	req := httptest.NewRequest("GET", "https://example.com/", nil)
	req.AddCookie(cs[0])
	m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		out = read(m.Start(w, r))
	})).ServeHTTP(httptest.NewRecorder(), req)
	return out
}

// sameOnMemoryAndCookie stores values in one request and reads them with
// read in the next, on the memory store and on the cookie store, and
// reports every entry of read's result on which the two differ.
func sameOnMemoryAndCookie(t *testing.T, values map[string]any, read func(*sessions.Session) map[string]any) {
	t.Helper()
	got := map[string]map[string]any{}
	for name, store := range map[string]sessions.Store{"memory": newMemoryStore(t), "cookie": newCookieStore(t)} {
		m, err := sessions.NewManager(store, sessions.Options{})
		if err != nil {
			t.Fatal(err)
		}
		got[name] = parityRoundTrip(t, m, values, read)
	}
	for k, mv := range got["memory"] {
		if cv := got["cookie"][k]; !reflect.DeepEqual(mv, cv) {
			t.Errorf("%s: memory store %#v, cookie store %#v; want the same", k, mv, cv)
		}
	}
}
