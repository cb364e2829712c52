package sessions_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestSavedCookieResponseStaysNoStore checks that a response carrying the
// session cookie is "Cache-Control: no-store" when it starts, also when the
// handler issued the cookie early with Save and the header was changed
// afterwards: net/http's ServeFile/ServeContent delete Cache-Control
// before an error answer (a 404, a 416), and a handler may set its own.
// Without Save the commit at the first byte adds no-store after those
// changes; with Save the cookie went in before them and no-store was lost,
// so a shared cache could store one user's session cookie and hand it to
// others.
func TestSavedCookieResponseStaysNoStore(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte("0123456789"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		serve func(w http.ResponseWriter, r *http.Request)
		rng   string
		code  int
	}{
		{"ServeFile 404", func(w http.ResponseWriter, r *http.Request) {
			http.ServeFile(w, r, filepath.Join(dir, "missing.txt"))
		}, "", http.StatusNotFound},
		{"ServeFile 416", func(w http.ResponseWriter, r *http.Request) {
			http.ServeFile(w, r, filepath.Join(dir, "a.txt"))
		}, "bytes=100-200", http.StatusRequestedRangeNotSatisfiable},
		{"handler's Cache-Control", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Cache-Control", "public, max-age=3600")
			io.WriteString(w, "page")
		}, "", http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, _ := newTestManager(t, sessions.Options{})
			srv := httptest.NewServer(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				s := m.Start(w, r)
				s.Set("seen", true)
				if err := s.Save(); err != nil {
					t.Error(err)
				}
				tc.serve(w, r)
			})))
			defer srv.Close()
			req, _ := http.NewRequest("GET", srv.URL, nil)
			if tc.rng != "" {
				req.Header.Set("Range", tc.rng)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.code {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.code)
			}
			issued := false
			for _, c := range resp.Cookies() {
				issued = issued || c.Name == m.CookieName()
			}
			if !issued {
				t.Fatalf("the response carries no session cookie: %q", resp.Header["Set-Cookie"])
			}
			if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
				t.Errorf("the response sets the session cookie with Cache-Control %q, want no-store", cc)
			}
		})
	}
}
