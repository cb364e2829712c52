package securitytest

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

var idPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

// switchRand is crypto/rand until told to fail.
type switchRand struct{ failing atomic.Bool }

func (r *switchRand) Read(p []byte) (int, error) {
	if r.failing.Load() {
		return 0, errors.New("entropy source exhausted")
	}
	return rand.Read(p)
}

// counterRand yields 0, 1, 2, ... as bytes: predictable, so a test can tell
// which bytes an ID was made of.
type counterRand struct{ n atomic.Uint32 }

func (r *counterRand) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r.n.Add(1) - 1)
	}
	return len(p), nil
}

func testS1(t *testing.T, h *harness) {
	t.Run("Format", func(t *testing.T) {
		e := h.env(t, sessions.Options{})
		seen := map[string]bool{}
		for range 200 {
			id := e.newSession(t, "x")
			if !idPattern.MatchString(id) {
				t.Fatalf("issued ID %q does not match %s", id, idPattern)
			}
			b, err := base64.RawURLEncoding.Strict().DecodeString(id)
			if err != nil || len(b) != 32 {
				t.Fatalf("issued ID does not decode to 32 bytes: %d bytes, %v", len(b), err)
			}
			if seen[id] {
				t.Fatalf("ID issued twice")
			}
			seen[id] = true
		}
	})
	t.Run("DrawnFromOptionsRand", func(t *testing.T) {
		src := &counterRand{}
		e := h.env(t, sessions.Options{Rand: src})
		id := e.newSession(t, "x")
		want := make([]byte, 32)
		for i := range want {
			want[i] = byte(i)
		}
		if id != base64.RawURLEncoding.EncodeToString(want) {
			t.Fatalf("the session ID was not the first 32 bytes of Options.Rand")
		}
	})
	t.Run("RandFailure", func(t *testing.T) {
		src := &switchRand{}
		e := h.env(t, sessions.Options{Rand: src})
		existing := e.newSession(t, "kept")
		src.failing.Store(true)
		e.spy.reset()
		for _, c := range []struct{ path, id string }{
			{"/set?k=cart&v=x", ""},
			{"/token", ""},
			{"/incr", ""},
			{"/renew", existing},
		} {
			r := e.do(t, "GET", c.path, c.id)
			if ck := r.sessionCookie(e.name); ck != nil {
				t.Errorf("GET %s with a failing RNG set a session cookie %+v", c.path, ck)
			}
			if c.path != "/token" && r.code < 500 {
				t.Errorf("GET %s with a failing RNG: status %d, want 5xx", c.path, r.code)
			}
			if c.path == "/token" && r.body != "" {
				t.Errorf("GET /token with a failing RNG rendered a token")
			}
		}
		if n := e.spy.count("create", "") + e.spy.count("rename", ""); n != 0 {
			t.Errorf("with a failing RNG the store saw %d create/rename calls, want 0", n)
		}
		src.failing.Store(false)
		if _, r := e.whoami(t, existing); r.field("cart") != "kept" {
			t.Errorf("a failed renewal lost the session's data")
		}
	})
}

func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

func testS2(t *testing.T, h *harness) {
	e := h.env(t, sessions.Options{})
	const user = "alice@example.com"
	var ids []string
	for range 40 {
		ids = append(ids, e.login(t, "", user))
	}
	var nibbles, variants [256]bool
	for i, a := range ids {
		b, _ := base64.RawURLEncoding.DecodeString(a)
		for _, leak := range [][]byte{[]byte(user), []byte("alice")} {
			if bytes.Contains(b, leak) || strings.Contains(a, string(leak)) {
				t.Fatalf("an ID contains the user name")
			}
		}
		for d := -5; d <= 5; d++ {
			var ts [4]byte
			binary.BigEndian.PutUint32(ts[:], uint32(time.Now().Unix()+int64(d)))
			if bytes.Contains(b, ts[:]) {
				t.Fatalf("an ID contains the current Unix time")
			}
		}
		nibbles[b[6]>>4] = true
		variants[b[8]>>6] = true
		for _, c := range ids[i+1:] {
			// 40 random IDs share a 5-character prefix with chance ~1e-6.
			if n := commonPrefix(a, c); n >= 5 {
				t.Fatalf("two IDs of one user share a %d-character prefix", n)
			}
		}
	}
	if count(nibbles[:]) < 2 || count(variants[:]) < 2 {
		t.Fatalf("IDs have a fixed UUID version nibble or variant (%d versions, %d variants seen)", count(nibbles[:]), count(variants[:]))
	}
}

func count(b []bool) int {
	n := 0
	for _, v := range b {
		if v {
			n++
		}
	}
	return n
}

// deadIDs returns well-formed IDs the server must not adopt, by how they died.
func deadIDs(t *testing.T, e *env) map[string]string {
	t.Helper()
	destroyed := e.login(t, "", "alice")
	if r := e.post(t, "/logout", destroyed); r.code != http.StatusOK {
		t.Fatalf("logout: %d", r.code)
	}
	pre := e.newSession(t, "cart")
	e.login(t, pre, "bob")
	expired := e.newSession(t, "old")
	e.clock.Advance(31 * time.Minute) // past the default idle timeout
	e.assertAnon(t, expired, "idle-expired session")
	return map[string]string{
		"made-up":          randomID(t),
		"destroyed":        destroyed,
		"renamed-by-login": pre,
		"expired":          expired,
	}
}

func testS4(t *testing.T, h *harness) {
	e := h.env(t, sessions.Options{})
	for how, id := range deadIDs(t, e) {
		t.Run(how, func(t *testing.T) {
			key := sessions.KeyOf(id)
			e.spy.reset()
			if user, r := e.whoami(t, id); user != "" || e.issued(r) != "" {
				t.Errorf("reading with a %s ID: user %q, cookie %q; want anonymous and no cookie", how, user, e.issued(r))
			}
			r := e.do(t, "GET", "/set?k=cart&v=planted", id)
			n := e.issued(r)
			if n == "" || n == id {
				t.Fatalf("writing with a %s ID: issued %q, want a fresh ID", how, n)
			}
			for _, op := range []string{"create", "commit", "rename", "increment"} {
				if c := e.spy.count(op, key); c != 0 {
					t.Errorf("the store saw %d %s calls for the %s ID; it must never be written", c, op, how)
				}
			}
			if e.live(t, id) {
				t.Errorf("the store holds a session under the %s ID", how)
			}
		})
	}
}

func testS5(t *testing.T, h *harness) {
	e := h.env(t, sessions.Options{})
	valid := randomID(t)
	bad := map[string]string{
		"traversal":       "../../x",
		"short":           "a",
		"10KB":            strings.Repeat("A", 10<<10),
		"sql":             "' OR '1'='1",
		"percent-nul":     "%00",
		"non-UTF-8":       "\xff\xfe\xfd" + valid[3:],
		"44 chars":        valid + "A",
		"42 chars":        valid[:42],
		"padded":          valid[:42] + "=",
		"std alphabet":    "+" + valid[1:],
		"stray low bits":  valid[:42] + "B",
		"space inside":    valid[:20] + " " + valid[21:],
		"unicode lookalk": valid[:41] + "é",
	}
	for name, v := range bad {
		t.Run(name, func(t *testing.T) {
			e.spy.reset()
			for _, path := range []string{"/whoami", "/set?k=cart&v=x"} {
				r := e.do(t, "GET", path, "", withCookieHeader(e.name+"="+v))
				if r.code != http.StatusOK {
					t.Errorf("GET %s: status %d, want 200", path, r.code)
				}
				if r.field("user") != "" {
					t.Errorf("GET %s: a user was recognised", path)
				}
				if n := e.issued(r); n == v {
					t.Errorf("GET %s: the malformed value was issued as an ID", path)
				}
			}
			if n := e.spy.count("load", ""); n != 0 {
				t.Errorf("the store saw %d Load calls for a malformed ID, want 0", n)
			}
		})
	}
}

func testS7(t *testing.T, h *harness) {
	e := h.env(t, sessions.Options{})
	id := e.login(t, "", "alice")
	for name, m := range map[string]mod{
		"X-Session-ID header": withHeader("X-Session-ID", id),
		"Authorization":       withHeader("Authorization", "Bearer "+id),
		"other cookie name":   withCookieHeader("id=" + id + "; session=" + id),
	} {
		if user, _ := e.whoami(t, "", m); user != "" {
			t.Errorf("ID sent in %s was adopted", name)
		}
	}
	for _, q := range []string{"?id=", "?" + e.name + "=", "?session="} {
		if r := e.do(t, "GET", "/whoami"+q+id, ""); r.field("user") != "" {
			t.Errorf("ID sent in the query %q was adopted", q)
		}
	}
	tok, _ := e.token(t, id)
	r := e.do(t, "POST", "/action", "", withForm(map[string][]string{e.name: {id}, "id": {id}, "csrf_token": {tok}}))
	if r.code != http.StatusForbidden {
		t.Errorf("a POST carrying the ID only in form fields passed as that session: %d", r.code)
	}
	// A login that redirects must not put the ID in the Location.
	tok, pre := e.token(t, "")
	r = e.do(t, "POST", "/login-redirect?user=bob", pre, withHeader("X-CSRF-Token", tok))
	if r.code != http.StatusSeeOther {
		t.Fatalf("login with redirect: %d", r.code)
	}
	var ids []string
	for _, res := range e.responses() {
		if n := e.issued(res); n != "" {
			ids = append(ids, n)
		}
	}
	for _, res := range e.responses() {
		for _, id := range ids {
			if strings.Contains(res.body, id) || strings.Contains(res.header.Get("Location"), id) {
				t.Fatalf("a session ID appeared in a response body or Location header")
			}
			for k, vs := range res.header {
				if k == "Set-Cookie" {
					continue
				}
				for _, v := range vs {
					if strings.Contains(v, id) {
						t.Fatalf("a session ID appeared in response header %s", k)
					}
				}
			}
		}
	}
}

func testS8(t *testing.T, h *harness) {
	e := h.env(t, sessions.Options{})
	alice := e.login(t, "", "alice")
	bob := e.login(t, "", "bob")
	u1, u2 := randomID(t), randomID(t)
	cases := []struct {
		name   string
		header []string // Cookie header lines
		want   string   // the user the handler sees
	}{
		// The first value in the header that names a live session wins; an
		// unknown value is skipped, never adopted.
		{"unknown then valid", []string{e.name + "=" + u1 + "; " + e.name + "=" + alice}, "alice"},
		{"valid then unknown", []string{e.name + "=" + alice + "; " + e.name + "=" + u1}, "alice"},
		{"two header lines", []string{e.name + "=" + u1, e.name + "=" + alice}, "alice"},
		{"two unknown", []string{e.name + "=" + u1 + "; " + e.name + "=" + u2}, ""},
		{"alice then bob", []string{e.name + "=" + alice + "; " + e.name + "=" + bob}, "alice"},
		{"bob then alice", []string{e.name + "=" + bob + "; " + e.name + "=" + alice}, "bob"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cookie := func(r *http.Request) {
				r.Header.Del("Cookie")
				for _, l := range c.header {
					r.Header.Add("Cookie", l)
				}
			}
			for range 2 { // deterministic: the same answer twice
				e.events.take()
				if user, _ := e.whoami(t, "", cookie); user != c.want {
					t.Errorf("handler saw user %q, want %q", user, c.want)
				}
				if n := countKind(e.events.take(), sessions.EventDuplicateCookie); n != 1 {
					t.Errorf("%d duplicate-cookie events, want 1", n)
				}
			}
			e.spy.reset()
			r := e.do(t, "GET", "/set?k=cart&v=x", "", cookie)
			if n := e.issued(r); n == u1 || n == u2 {
				t.Errorf("an unknown duplicate value was issued as the session ID")
			}
			for _, u := range []string{u1, u2} {
				if e.spy.count("create", sessions.KeyOf(u))+e.spy.count("commit", sessions.KeyOf(u)) != 0 || e.live(t, u) {
					t.Errorf("a session was written under an unknown duplicate value")
				}
			}
		})
	}
}

func testS30(t *testing.T, h *harness) {
	e := h.env(t, sessions.Options{RotateAfter: time.Minute})
	id := e.newSession(t, "cart")
	id = e.login(t, id, "alice")
	if n := e.issued(e.do(t, "GET", "/renew", id)); n != "" {
		id = n
	}
	e.clock.Advance(2 * time.Minute)
	if _, r := e.whoami(t, id); e.issued(r) != "" {
		id = e.issued(r)
	}
	e.do(t, "GET", "/incr", id)
	e.post(t, "/logout", id)
	var ids []string
	for _, r := range e.responses() {
		if n := e.issued(r); n != "" {
			ids = append(ids, n)
		}
	}
	if len(ids) < 4 {
		t.Fatalf("the flow issued %d IDs, want at least 4", len(ids))
	}
	// The keys are computed here, not with sessions.KeyOf: a KeyOf that
	// stopped hashing would otherwise agree with itself.
	hashes := map[string]bool{}
	for _, id := range ids {
		sum := sha256.Sum256([]byte(id))
		hashes[hex.EncodeToString(sum[:])] = true
	}
	keys := e.spy.keys()
	for _, k := range keys {
		if k == "" {
			continue
		}
		if slices.Contains(ids, k) {
			t.Fatalf("a raw session ID was passed to the store as a key")
		}
		if !sessions.ValidKey(k) || !hashes[k] {
			t.Fatalf("store key %q is not the SHA-256 of an issued ID", k)
		}
	}
	if len(keys) == 0 {
		t.Fatal("the spy saw no store calls")
	}
	for _, id := range ids {
		if _, found, err := e.inner.Load(t.Context(), id); err == nil && found {
			t.Fatalf("the store finds a session under a raw cookie value")
		}
	}
}
