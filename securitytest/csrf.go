package securitytest

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/sessionkit/sessions"
)

// foreignToken returns a token of the right shape that no session minted.
func foreignToken(t *testing.T) string {
	t.Helper()
	var b [64]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func withJSON(body string) mod {
	return func(r *http.Request) {
		r.Body = io.NopCloser(strings.NewReader(body))
		r.ContentLength = int64(len(body))
		r.Header.Set("Content-Type", "application/json")
	}
}

type csrfCase struct {
	name   string
	method string
	target string
	mods   []mod
	want   int
}

func runCSRFCases(t *testing.T, e *env, id string, cases []csrfCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.do(t, c.method, c.target, id, c.mods...)
			if r.code != c.want {
				t.Errorf("%s %s: status %d (%q), want %d", c.method, c.target, r.code, r.body, c.want)
			}
		})
	}
}

func testS39(t *testing.T, h *harness) {
	e := h.env(t, sessions.Options{})
	id := e.login(t, "", "alice")
	tok, _ := e.token(t, id)
	hdr := withHeader("X-CSRF-Token", tok)
	cookie := e.name + "=" + id
	cases := []csrfCase{
		{"POST without token", "POST", "/action", nil, 403},
		{"POST wrong token", "POST", "/action", []mod{withHeader("X-CSRF-Token", foreignToken(t))}, 403},
		{"POST truncated token", "POST", "/action", []mod{withHeader("X-CSRF-Token", tok[:43])}, 403},
		{"POST token in query", "POST", "/action?csrf_token=" + tok, []mod{withForm(nil)}, 403},
		{"POST token in query under the header name", "POST", "/action?X-CSRF-Token=" + tok, nil, 403},
		{"POST token in cookies", "POST", "/action", []mod{withCookieHeader(cookie + "; csrf_token=" + tok + "; X-CSRF-Token=" + tok)}, 403},
		{"POST token in a JSON body", "POST", "/action", []mod{withJSON(`{"csrf_token":"` + tok + `"}`)}, 403},
		{"POST header", "POST", "/action", []mod{hdr}, 200},
		{"POST form field", "POST", "/action", []mod{withForm(map[string][]string{"csrf_token": {tok}})}, 200},
		{"POST multipart field", "POST", "/action", []mod{withMultipart("csrf_token", tok)}, 200},
		{"PUT without token", "PUT", "/action", nil, 403},
		{"PUT header", "PUT", "/action", []mod{hdr}, 200},
		{"PATCH without token", "PATCH", "/action", nil, 403},
		{"PATCH header", "PATCH", "/action", []mod{hdr}, 200},
		{"DELETE without token", "DELETE", "/action", nil, 403},
		{"DELETE header", "DELETE", "/action", []mod{hdr}, 200},
		{"PROPFIND without token", "PROPFIND", "/action", nil, 403},
		{"GET never checked", "GET", "/action", []mod{withHeader("Sec-Fetch-Site", "cross-site")}, 200},
		{"HEAD never checked", "HEAD", "/action", nil, 200},
		{"OPTIONS never checked", "OPTIONS", "/action", nil, 200},
	}
	runCSRFCases(t, e, id, cases)

	// Login CSRF: an anonymous login form is protected too.
	for name, mods := range map[string][]mod{
		"without token":                              nil,
		"with a made-up token":                       {withHeader("X-CSRF-Token", foreignToken(t))},
		"with another session's token but no cookie": {hdr},
	} {
		if r := e.do(t, "POST", "/login?user=mallory", "", mods...); r.code != http.StatusForbidden || e.issued(r) != "" {
			t.Errorf("anonymous login POST %s: status %d, cookie %q; want 403 and none", name, r.code, e.issued(r))
		}
	}
	// The token is 256 bits of secret, masked: 64 bytes in base64url.
	if b, err := base64.RawURLEncoding.DecodeString(tok); err != nil || len(b) < 32 {
		t.Errorf("token %d bytes, want a masked secret of at least 128 bits", len(b))
	}
}

func testS39Exempt(t *testing.T, h *harness) {
	e := h.env(t, sessions.Options{CSRF: sessions.CSRFOptions{ExemptPatterns: []string{"POST /hooks/"}}})
	id := e.login(t, "", "alice")
	cross := withHeader("Sec-Fetch-Site", "cross-site")
	runCSRFCases(t, e, id, []csrfCase{
		{"the exempt subtree", "POST", "/hooks/github", []mod{cross}, 200},
		// The exemption covers what the pattern matches, not the paths
		// ServeMux would redirect to it.
		{"the subtree's root without slash", "POST", "/hooks", []mod{cross}, 403},
		{"a dot-segment path out of the subtree", "POST", "/hooks/../action", []mod{cross}, 403},
		{"another path", "POST", "/action", []mod{cross}, 403},
		// A router that routes on the decoded path (gorilla/mux, gin by
		// default) serves these at /action or under another route than
		// the pattern matches: never exempt.
		{"an escaped slash out of the subtree", "POST", "/hooks/..%2Faction", []mod{cross}, 403},
		{"an escaped dot segment", "POST", "/hooks/%2e%2e/action", []mod{cross}, 403},
		{"an escaped slash inside the subtree", "POST", "/hooks/a%2Fb", []mod{cross}, 403},
	})
}

func testS40(t *testing.T, h *harness) {
	e := h.env(t, sessions.Options{})
	a := e.login(t, "", "alice")
	b := e.login(t, "", "bob")
	tokA, _ := e.token(t, a)
	// B renders a token too, so that B's session has a secret: without
	// one every token is refused, whatever it was bound to.
	tokB, _ := e.token(t, b)
	forged := foreignToken(t)
	runCSRFCases(t, e, b, []csrfCase{
		{"A's token with B's cookie", "POST", "/action", []mod{withHeader("X-CSRF-Token", tokA)}, 403},
		{"planted cookie and header pair", "POST", "/action", []mod{
			withCookieHeader(e.name + "=" + b + "; csrf_token=" + forged + "; __Host-csrf=" + forged),
			withHeader("X-CSRF-Token", forged),
		}, 403},
	})
	if r := e.do(t, "POST", "/action", a, withHeader("X-CSRF-Token", tokA)); r.code != http.StatusOK {
		t.Errorf("A's token with A's cookie: %d", r.code)
	}
	if r := e.do(t, "POST", "/action", b, withHeader("X-CSRF-Token", tokB)); r.code != http.StatusOK {
		t.Errorf("B's token with B's cookie: %d", r.code)
	}
}

func testS41(t *testing.T, h *harness) {
	e := h.env(t, sessions.Options{})
	id := e.login(t, "", "alice")
	t1, _ := e.token(t, id)
	t2, _ := e.token(t, id)
	if t1 == t2 {
		t.Fatal("two renders of the token are identical; it is not masked per response")
	}
	if s1, s2 := unmask(t1), unmask(t2); s1 == nil || !bytes.Equal(s1, s2) {
		t.Fatal("the two renders do not unmask to the same secret")
	}
	for _, tok := range []string{t1, t2, t1} {
		if r := e.do(t, "POST", "/action", id, withHeader("X-CSRF-Token", tok)); r.code != http.StatusOK {
			t.Errorf("a masked render did not validate: %d", r.code)
		}
	}
}

func testS42(t *testing.T, h *harness) {
	e := h.env(t, sessions.Options{})
	id := e.login(t, "", "alice")
	tok, _ := e.token(t, id)
	self := "https://" + e.srv.Listener.Addr().String()
	with := func(sfs, origin string, token bool) []mod {
		var m []mod
		if sfs != "" {
			m = append(m, withHeader("Sec-Fetch-Site", sfs))
		}
		if origin != "" {
			m = append(m, withHeader("Origin", origin))
		}
		if token {
			m = append(m, withHeader("X-CSRF-Token", tok))
		}
		return m
	}
	runCSRFCases(t, e, id, []csrfCase{
		{"Sec-Fetch-Site cross-site", "POST", "/action", with("cross-site", "", true), 403},
		{"Sec-Fetch-Site same-site", "POST", "/action", with("same-site", "", true), 403},
		{"Sec-Fetch-Site same-origin", "POST", "/action", with("same-origin", "", true), 200},
		{"Sec-Fetch-Site none", "POST", "/action", with("none", "", true), 200},
		{"Sec-Fetch-Site cross-site with our Origin", "POST", "/action", with("cross-site", self, true), 403},
		{"same-origin still needs the token", "POST", "/action", with("same-origin", "", false), 403},
		{"Origin matches", "POST", "/action", with("", self, true), 200},
		{"Origin mismatch", "POST", "/action", with("", "https://evil.example", true), 403},
		{"Origin null", "POST", "/action", with("", "null", true), 403},
		{"no headers, token decides: with", "POST", "/action", with("", "", true), 200},
		{"no headers, token decides: without", "POST", "/action", with("", "", false), 403},
		{"DELETE cross-site", "DELETE", "/action", with("cross-site", "https://evil.example", true), 403},
		{"GET cross-site is not blocked", "GET", "/action", with("cross-site", "https://evil.example", false), 200},
	})
}

func testS43(t *testing.T, h *harness) {
	e := h.env(t, sessions.Options{CSRF: sessions.CSRFOptions{TrustedOrigins: []string{"https://a.example"}}})
	id := e.login(t, "", "alice")
	tok, _ := e.token(t, id)
	from := func(sfs, origin string) []mod {
		m := []mod{withHeader("Origin", origin), withHeader("X-CSRF-Token", tok)}
		if sfs != "" {
			m = append(m, withHeader("Sec-Fetch-Site", sfs))
		}
		return m
	}
	// The server is TLS (r.URL.Scheme is empty there): the checks run anyway.
	runCSRFCases(t, e, id, []csrfCase{
		{"trusted origin", "POST", "/action", from("cross-site", "https://a.example"), 200},
		{"trusted origin without Sec-Fetch-Site", "POST", "/action", from("", "https://a.example"), 200},
		{"other scheme", "POST", "/action", from("cross-site", "http://a.example"), 403},
		{"other scheme without Sec-Fetch-Site", "POST", "/action", from("", "http://a.example"), 403},
		{"suffix", "POST", "/action", from("cross-site", "https://a.example.evil.com"), 403},
		{"prefix", "POST", "/action", from("cross-site", "https://evila.example"), 403},
		{"explicit port", "POST", "/action", from("cross-site", "https://a.example:8443"), 403},
		{"subdomain", "POST", "/action", from("cross-site", "https://x.a.example"), 403},
	})
}
