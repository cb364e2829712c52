package adaptertest

import (
	"io"
	"log/slog"
	"net/http"
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
