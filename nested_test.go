package sessions_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/sessionkit/sessions"
)

// wrappedWriter is a middleware's own writer around the one it was given,
// as a logging or compressing middleware has.
type wrappedWriter struct{ http.ResponseWriter }

// TestNestedHandler checks that a request meeting Handler twice keeps one
// session: the values and the login of the inner handler and of the code
// between the two Handlers land in the session the response's one cookie
// names, stored once.
func TestNestedHandler(t *testing.T) {
	for _, tc := range []struct {
		name string
		// build returns the server for m: between runs between the outer
		// Handler and app.
		build func(m *sessions.Manager, between func(http.ResponseWriter, *http.Request), app http.Handler) http.Handler
	}{
		{"applied twice", func(m *sessions.Manager, between func(http.ResponseWriter, *http.Request), app http.Handler) http.Handler {
			inner := m.Handler(app)
			return m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				between(w, r)
				inner.ServeHTTP(w, r)
			}))
		}},
		{"writer wrapped between", func(m *sessions.Manager, between func(http.ResponseWriter, *http.Request), app http.Handler) http.Handler {
			inner := m.Handler(app)
			return m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				between(w, r)
				inner.ServeHTTP(wrappedWriter{w}, r)
			}))
		}},
		{"internal dispatch", func(m *sessions.Manager, between func(http.ResponseWriter, *http.Request), app http.Handler) http.Handler {
			var root http.Handler
			mux := http.NewServeMux()
			mux.Handle("/app/", app)
			mux.HandleFunc("/entry/", func(w http.ResponseWriter, r *http.Request) {
				between(w, r)
				r2 := r.Clone(r.Context())
				r2.URL.Path = "/app/" + r.URL.Path[len("/entry/"):]
				r2.RequestURI = ""
				root.ServeHTTP(w, r2)
			})
			root = m.Handler(mux)
			return root
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// "between" is set before the login, which keeps only the
			// KeepOnLogin keys.
			m, store := newTestManager(t, sessions.Options{KeepOnLogin: []string{"between"}})
			between := func(w http.ResponseWriter, r *http.Request) {
				s := m.Start(w, r)
				_ = s.GetString("visits")
				s.Set("between", "yes")
			}
			app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				s := m.Start(w, r)
				if err := s.Login("alice"); err != nil {
					t.Errorf("Login: %v", err)
				}
				s.Set("app", "yes")
				w.Write([]byte("ok"))
			})
			h := tc.build(m, between, app)
			path := "/login"
			if tc.name == "internal dispatch" {
				path = "/entry/login"
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("GET", "https://example.com"+path, nil))
			if rec.Code != http.StatusOK || rec.Body.String() != "ok" {
				t.Fatalf("response %d %q, want 200 ok", rec.Code, rec.Body)
			}
			cookies := rec.Result().Cookies()
			if len(cookies) != 1 {
				t.Fatalf("Set-Cookie = %q, want one cookie", rec.Header().Values("Set-Cookie"))
			}
			if n := store.creates.Load(); n != 1 {
				t.Errorf("store creates = %d, want 1 (one session)", n)
			}
			got := readSession(t, m, cookies[0])
			if got.values["between"] != "yes" || got.values["app"] != "yes" || got.user != "alice" {
				t.Errorf("the cookie's session holds %v, user %q; want between=yes, app=yes, user alice", got.values, got.user)
			}
		})
	}
}

// TestNestedHandlerOtherManager checks that Handlers of two managers each
// give the request their own session: only a session of the same manager
// makes Handler pass a request through.
func TestNestedHandlerOtherManager(t *testing.T) {
	a, _ := newTestManager(t, sessions.Options{CookieName: "__Host-a"})
	b, _ := newTestManager(t, sessions.Options{CookieName: "__Host-b"})
	h := a.Handler(b.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sa, sb := a.Start(w, r), b.Start(w, r)
		if sa == sb {
			t.Error("both managers gave the same session")
		}
		sa.Set("k", "a")
		sb.Set("k", "b")
	})))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "https://example.com/", nil))
	names := map[string]bool{}
	for _, c := range rec.Result().Cookies() {
		names[c.Name] = true
	}
	if !names["__Host-a"] || !names["__Host-b"] || len(names) != 2 {
		t.Errorf("cookies %q, want one of each manager", rec.Header().Values("Set-Cookie"))
	}
}

type sessionView struct {
	values map[string]any
	user   string
}

// readSession returns what the session cookie c names holds, read through
// a fresh request.
func readSession(t *testing.T, m *sessions.Manager, c *http.Cookie) sessionView {
	t.Helper()
	var v sessionView
	req := httptest.NewRequest("GET", "https://example.com/", nil)
	req.AddCookie(c)
	m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := m.Start(w, r)
		v.values, v.user = s.GetAll(), s.User()
	})).ServeHTTP(httptest.NewRecorder(), req)
	return v
}
