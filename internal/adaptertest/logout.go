package adaptertest

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/cookie"
)

// CookieStoreManager returns a manager on the cookie store under a fresh
// key, logging nowhere.
func CookieStoreManager(t *testing.T, opts sessions.Options) *sessions.Manager {
	t.Helper()
	k, err := cookie.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	st, err := cookie.New(k)
	if err != nil {
		t.Fatal(err)
	}
	opts.Logger = slog.New(slog.DiscardHandler)
	m, err := sessions.NewManager(st, opts)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// LogoutErrorHandlers are the error handlers a refused logout request is
// answered by: the default (413), one that answers otherwise, and one
// that writes nothing (net/http's empty 200).
var LogoutErrorHandlers = []struct {
	Name    string
	Handler func(w http.ResponseWriter, r *http.Request, err error)
	Status  int
}{
	{"default", nil, http.StatusRequestEntityTooLarge},
	{"custom", func(w http.ResponseWriter, r *http.Request, err error) {
		w.WriteHeader(http.StatusTeapot)
		io.WriteString(w, "custom answer")
	}, http.StatusTeapot},
	{"silent", func(w http.ResponseWriter, r *http.Request, err error) {}, http.StatusOK},
}

// CheckLogoutAnswer checks the answer to a logout request whose final
// commit was refused: the error handler's status, exactly one Set-Cookie
// expiring old (same name, Path and Domain), Cache-Control no-store, and
// none of the handler's body (its "handler body", a redirect's text) or
// headers (X-Handler, Location).
func CheckLogoutAnswer(t *testing.T, resp *http.Response, body string, wantStatus int, old *http.Cookie) {
	t.Helper()
	if resp.StatusCode != wantStatus {
		t.Errorf("status %d, want the error handler's %d (body %q)", resp.StatusCode, wantStatus, body)
	}
	if strings.Contains(body, "handler body") || strings.Contains(body, "Found") {
		t.Errorf("the handler's body leaked: %q", body)
	}
	var expired, other []string
	for _, rc := range resp.Cookies() {
		if rc.Name == old.Name && rc.MaxAge < 0 && rc.Value == "" && rc.Path == old.Path && rc.Domain == old.Domain {
			expired = append(expired, rc.Raw)
		} else {
			other = append(other, rc.Raw)
		}
	}
	if len(expired) != 1 || len(other) != 0 {
		t.Errorf("Set-Cookie %q: want exactly one expiry of %s (Path %s, Domain %s) and nothing else",
			resp.Header.Values("Set-Cookie"), old.Name, old.Path, old.Domain)
	}
	if cc := resp.Header.Values("Cache-Control"); len(cc) != 1 || cc[0] != "no-store" {
		t.Errorf("Cache-Control %q, want [no-store]", cc)
	}
	for _, h := range []string{"X-Handler", "Location"} {
		if v := resp.Header.Get(h); v != "" {
			t.Errorf("the handler's %s: %q leaked into the error answer", h, v)
		}
	}
}

// RefusingManager returns the manager a logout test runs on, with the
// cookie settings of the logout tests (name sid, Path /app, Domain
// example.com, so that the expiry is checked on all three) and eh as the
// error handler, and a value its final commit refuses. With store
// "memory" it is the manager memory makes, under Options.MaxSize 1000,
// and a 2,000-byte value; with "cookie", the cookie store and a
// 5,000-byte value, over the cookie's size.
func RefusingManager(t *testing.T, store string, eh func(w http.ResponseWriter, r *http.Request, err error), memory func(sessions.Options) *sessions.Manager) (m *sessions.Manager, bad string) {
	t.Helper()
	opts := sessions.Options{CookieName: "sid", Domain: "example.com", Path: "/app",
		Secure: sessions.SecureNever, AllowInsecure: true, ErrorHandler: eh}
	if store == "memory" {
		opts.MaxSize = 1000
		return memory(opts), strings.Repeat("x", 2000)
	}
	return CookieStoreManager(t, opts), strings.Repeat("x", 5000)
}

// CheckLogout drives a logout test's server srv: it logs in through
// /app/login, logs out through /app/logout with that session's cookie and
// checks the answer (CheckLogoutAnswer); with store "memory" it also
// checks that /app/whoami, which answers the session's user, finds none
// under the old cookie.
func CheckLogout(t *testing.T, srv *httptest.Server, m *sessions.Manager, store string, wantStatus int) {
	t.Helper()
	resp, _ := Do(t, srv, "GET", "/app/login", Request{})
	old := MustCookie(t, resp, m)
	resp, body := Do(t, srv, "GET", "/app/logout", Request{Cookie: old})
	CheckLogoutAnswer(t, resp, body, wantStatus, old)
	if store == "memory" {
		if _, who := Do(t, srv, "GET", "/app/whoami", Request{Cookie: old}); who != "" {
			t.Errorf("the old cookie still carries user %q after the logout", who)
		}
	}
}
