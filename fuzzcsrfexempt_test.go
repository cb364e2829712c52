package sessions_test

import (
	"bufio"
	"net/http"
	"net/http/httptest"
	"path"
	"strings"
	"testing"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
)

// FuzzCSRFExempt sends cross-site POSTs without a token, to any request
// target, through a Manager with CSRF.ExemptPatterns. Such a request
// reaches the handler only when it is exempt, and an exempt request must
// be one that every router sends to an exempt endpoint: ServeMux on the
// path as sent, and a router that routes on the decoded path, with its dot
// segments removed. A plain path (no escapes, no dot segments) that
// ServeMux routes to an exempt pattern is exempt.
func FuzzCSRFExempt(f *testing.F) {
	for _, s := range []string{
		"/hooks/x", "/hooks/", "/hooks", "/hooks/..%2Fadmin", "/hooks/%2e%2e/admin",
		"/hooks/x/../../admin", "/api/7/callback", "/api/%2e%2e/callback", "/api/a%2Fb/callback",
		"/admin", "//hooks/x", "/hooks//x", "http://example.com/hooks/x", "*", "/hooks/%252e%252e/x",
	} {
		f.Add(s)
	}
	patterns := []string{"POST /hooks/", "/api/{id}/callback"}
	store := memory.New(memory.Options{})
	f.Cleanup(func() { store.Close() })
	m, err := sessions.NewManager(store, sessions.Options{CSRF: sessions.CSRFOptions{ExemptPatterns: patterns}})
	if err != nil {
		f.Fatal(err)
	}
	reached := false
	h := m.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached = true }))
	ref := http.NewServeMux()
	target := new(exemptTarget)
	for _, p := range patterns {
		ref.Handle(p, target)
	}
	routes := func(r *http.Request) bool {
		got, _ := ref.Handler(r)
		return got == target // not a redirect, not NotFound
	}
	f.Fuzz(func(t *testing.T, reqTarget string) {
		if strings.ContainsAny(reqTarget, " \t\r\n") {
			return
		}
		r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(
			"POST " + reqTarget + " HTTP/1.1\r\nHost: example.com\r\nSec-Fetch-Site: cross-site\r\nContent-Length: 0\r\n\r\n")))
		if err != nil {
			return
		}
		reached = false
		h.ServeHTTP(httptest.NewRecorder(), r)

		asSent := routes(r)
		decoded := path.Clean(r.URL.Path)
		if strings.HasSuffix(r.URL.Path, "/") && decoded != "/" {
			decoded += "/"
		}
		d := r.Clone(r.Context())
		d.URL.Path, d.URL.RawPath = decoded, ""
		asDecoded := routes(d)
		if reached && !(asSent && asDecoded) {
			t.Fatalf("cross-site POST %q (path %q) passed the CSRF check: ServeMux routes it to an exempt pattern: %v, as %q: %v",
				reqTarget, r.URL.Path, asSent, decoded, asDecoded)
		}
		if !reached && asSent && r.URL.RawPath == "" && path.Clean(r.URL.Path) == strings.TrimSuffix(r.URL.Path, "/") {
			t.Fatalf("cross-site POST %q to an exempt pattern was refused", reqTarget)
		}
	})
}

// exemptTarget is the handler of FuzzCSRFExempt's reference ServeMux.
type exemptTarget struct{ _ byte }

func (*exemptTarget) ServeHTTP(http.ResponseWriter, *http.Request) {}
