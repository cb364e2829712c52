package securitytest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

func testS32(t *testing.T, h *harness) {
	e := h.env(t, sessions.Options{})
	id := e.login(t, "", "alice")
	e.spy.fail("load", fmt.Errorf("%w: truncated record", sessions.ErrCorrupt))
	e.events.take()
	user, r := e.whoami(t, id) // fails the test on any status but 200
	e.spy.fail("load", nil)
	if user != "" || e.issued(r) != "" {
		t.Errorf("a corrupt record gave user %q, cookie %q; want anonymous", user, e.issued(r))
	}
	if n := countKind(e.events.take(), sessions.EventCorrupt); n != 1 {
		t.Errorf("%d corrupt-record events, want 1", n)
	}
	if !strings.Contains(e.logs.String(), "corrupt") {
		t.Errorf("a corrupt record left no log entry")
	}
	if e.live(t, id) {
		t.Errorf("the corrupt record was not dropped")
	}
	if n := e.issued(e.do(t, "GET", "/set?k=cart&v=x", id)); n == "" || n == id {
		t.Errorf("a write after a corrupt record issued %q, want a fresh ID", n)
	}
}

func testS33(t *testing.T, h *harness) {
	unavailable := fmt.Errorf("%w: connection refused", sessions.ErrStoreUnavailable)
	cases := []struct {
		name     string
		op       string
		err      error
		method   string
		path     string
		anon     bool // the request carries no session
		wantCode int
		output   string // what the handler would have written
	}{
		{"load unavailable", "load", unavailable, "GET", "/secret", false, 503, "SECRET-OUTPUT"},
		{"load deadline", "load", context.DeadlineExceeded, "GET", "/secret", false, 503, "SECRET-OUTPUT"},
		{"load other error", "load", errors.New("protocol error"), "GET", "/secret", false, 500, "SECRET-OUTPUT"},
		{"load on an unsafe request", "load", unavailable, "POST", "/action", false, 503, "done"},
		{"commit", "commit", unavailable, "GET", "/set?k=cart&v=x", false, 503, "ok"},
		{"create", "create", unavailable, "GET", "/set?k=cart&v=x", true, 503, "ok"},
		{"rename", "rename", unavailable, "GET", "/renew", false, 503, "renewed"},
		{"delete on logout", "delete", unavailable, "POST", "/logout", false, 503, "bye"},
	}
	e := h.env(t, sessions.Options{})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			id := e.login(t, "", "alice")
			tok, _ := e.token(t, id)
			if c.anon {
				id = ""
			}
			e.sawUser.Store("unset")
			e.spy.fail(c.op, c.err)
			r := e.do(t, c.method, c.path, id, withHeader("X-CSRF-Token", tok))
			e.spy.fail(c.op, nil)
			if r.code != c.wantCode {
				t.Errorf("status %d, want %d", r.code, c.wantCode)
			}
			if strings.Contains(r.body, c.output) {
				t.Errorf("the handler's output reached the client: %q", r.body)
			}
			if ck := r.sessionCookie(e.name); ck != nil {
				t.Errorf("a failed request set the session cookie %q", ck.Raw)
			}
			if c.op == "load" && c.path == "/secret" {
				if u := e.sawUser.Load(); u != "" {
					t.Errorf("with the store down, the handler ran as user %q", u)
				}
			}
			if !containsToken(r.header.Values("Cache-Control"), "no-store") {
				t.Errorf("the error response is cacheable")
			}
		})
	}
}

func testS44(t *testing.T, h *harness) {
	e := h.env(t, sessions.Options{})
	id := e.newSession(t, "cart")
	tok, _ := e.token(t, id)
	id = e.login(t, id, "alice")
	id = e.issued(e.do(t, "GET", "/renew", id))
	e.do(t, "POST", "/action", id, withHeader("X-CSRF-Token", tok)) // a stale token: CSRF failure
	e.spy.fail("load", fmt.Errorf("%w: connection reset", sessions.ErrStoreUnavailable))
	if r := e.do(t, "GET", "/secret", id); r.code != http.StatusServiceUnavailable {
		t.Fatalf("store error: %d", r.code)
	}
	e.spy.fail("load", fmt.Errorf("%w: bad version", sessions.ErrCorrupt))
	e.do(t, "GET", "/whoami", id)
	e.spy.fail("load", nil)
	id2 := e.login(t, "", "bob")
	e.post(t, "/logout", id2)
	e.do(t, "GET", "/whoami", "", withCookieHeader(e.name+"=junk"))

	var ids, tokens []string
	for _, r := range e.responses() {
		if n := e.issued(r); n != "" {
			ids = append(ids, n)
		}
		if len(r.body) == 86 && !strings.ContainsAny(r.body, " \n=") {
			tokens = append(tokens, r.body)
		}
	}
	if len(ids) < 4 || len(tokens) < 3 {
		t.Fatalf("the flow produced %d IDs and %d tokens; the test is not exercising enough", len(ids), len(tokens))
	}
	logs := e.logs.String()
	events := e.events.take()
	secrets := append(slices.Clone(ids), tokens...)
	for _, s := range secrets {
		if strings.Contains(logs, s) {
			t.Fatalf("a raw session ID or CSRF token appears in the log")
		}
		for _, ev := range events {
			text := fmt.Sprint(ev.Handle, ev.User, ev.IP, ev.UserAgent, ev.Err)
			if strings.Contains(text, s) {
				t.Fatalf("a raw session ID or CSRF token appears in a %s event", ev.Kind)
			}
		}
	}
	for _, r := range e.responses() {
		for _, s := range ids {
			if strings.Contains(r.body, s) {
				t.Fatalf("a session ID appears in a response body")
			}
		}
	}
	// Sessions are named by a hash prefix, which is present.
	if handle := sessions.KeyOf(id)[:16]; !strings.Contains(logs, handle) {
		t.Errorf("the store-error log does not name the session by its hashed handle %s:\n%s", handle, logs)
	}
}

func testS45(t *testing.T, h *harness) {
	e := h.env(t, sessions.Options{Bind: sessions.BindUserAgent})
	e.ua = "Mozilla/5.0 Firefox/133.0"
	var id string
	var tok string
	type step struct {
		name string
		run  func(t *testing.T) string // returns the ID the events should name, or ""
		want []string
	}
	steps := []step{
		{"create", func(t *testing.T) string { id = e.newSession(t, "cart"); return id }, []string{"created"}},
		{"token", func(t *testing.T) string { tok, _ = e.token(t, id); return "" }, nil},
		{"login", func(t *testing.T) string {
			id = e.issued(e.do(t, "POST", "/login?user=alice", id, withHeader("X-CSRF-Token", tok)))
			return id
		}, []string{"renewed"}},
		{"renew", func(t *testing.T) string { id = e.issued(e.do(t, "GET", "/renew", id)); return id }, []string{"renewed"}},
		{"read", func(t *testing.T) string { e.whoami(t, id); return "" }, nil},
		{"invalid ID", func(t *testing.T) string { u := randomID(t); e.whoami(t, u); return u }, []string{"invalid-id"}},
		{"malformed ID", func(t *testing.T) string { e.whoami(t, "junk"); return "" }, []string{"malformed-id"}},
		{"duplicate cookie", func(t *testing.T) string {
			e.whoami(t, "", withCookieHeader(e.name+"="+id+"; "+e.name+"="+randomID(t)))
			return ""
		}, []string{"duplicate-cookie"}},
		{"csrf failure", func(t *testing.T) string { e.do(t, "POST", "/action", id); return "" }, []string{"csrf-fail"}},
		{"binding mismatch", func(t *testing.T) string { e.whoami(t, id, withUA("curl/8.5.0")); return id }, []string{"binding-mismatch"}},
		{"corrupt record", func(t *testing.T) string {
			e.spy.fail("load", fmt.Errorf("%w: bad", sessions.ErrCorrupt))
			defer e.spy.fail("load", nil)
			e.whoami(t, id)
			return id
		}, []string{"corrupt-record"}},
		{"store error", func(t *testing.T) string {
			id = e.login(t, "", "alice")
			e.events.take()
			e.spy.fail("load", fmt.Errorf("%w: down", sessions.ErrStoreUnavailable))
			defer e.spy.fail("load", nil)
			e.do(t, "GET", "/whoami", id)
			return id
		}, []string{"store-error"}},
		{"expired idle", func(t *testing.T) string { e.clock.Advance(31 * time.Minute); e.whoami(t, id); return id }, []string{"expired-idle"}},
		{"expired absolute", func(t *testing.T) string {
			u := randomID(t)
			now := e.clock.Now().UnixNano()
			rec := &sessions.Record{Meta: sessions.Meta{Created: now - int64(13*time.Hour), LastSeen: now, Expires: now + int64(time.Hour)}}
			if err := e.inner.Create(t.Context(), sessions.KeyOf(u), rec); err != nil {
				t.Fatal(err)
			}
			e.whoami(t, u)
			return u
		}, []string{"expired-absolute"}},
		{"logout", func(t *testing.T) string {
			id = e.login(t, "", "alice")
			tok, _ = e.token(t, id)
			e.events.take()
			e.do(t, "POST", "/logout", id, withHeader("X-CSRF-Token", tok))
			return id
		}, []string{"destroyed"}},
		{"revoke one", func(t *testing.T) string {
			if _, ok := e.inner.(sessions.UserIndex); !ok {
				t.Skip("no user index")
			}
			id = e.login(t, "", "alice")
			e.events.take()
			if ok, err := e.m.DestroySession(t.Context(), "alice", sessions.KeyOf(id)); !ok || err != nil {
				t.Fatalf("DestroySession: %v %v", ok, err)
			}
			return id
		}, []string{"destroyed"}},
		{"revoke all", func(t *testing.T) string {
			if _, ok := e.inner.(sessions.UserIndex); !ok {
				t.Skip("no user index")
			}
			e.login(t, "", "alice")
			e.events.take()
			if _, err := e.m.DestroyUserSessions(t.Context(), "alice", ""); err != nil {
				t.Fatal(err)
			}
			return ""
		}, []string{"destroyed"}},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			e.events.take()
			named := s.run(t)
			got := e.events.take()
			if !slices.Equal(kinds(got), s.want) {
				t.Fatalf("events %v, want exactly %v", kinds(got), s.want)
			}
			for _, ev := range got {
				if named != "" && ev.Handle != sessions.KeyOf(named)[:16] {
					t.Errorf("%s event names session %q, want the hashed handle of the ID involved", ev.Kind, ev.Handle)
				}
				if fromRequest := !strings.HasPrefix(s.name, "revoke"); fromRequest {
					if ev.IP != "127.0.0.1" || ev.UserAgent == "" {
						t.Errorf("%s event lacks the client: IP %q, UA %q", ev.Kind, ev.IP, ev.UserAgent)
					}
				}
			}
		})
	}
}

func testS46(t *testing.T, h *harness) {
	_, loopback, _ := net.ParseCIDR("127.0.0.0/8")
	const x, y = "203.0.113.5", "198.51.100.7"
	// Behind a trusted proxy, the client is the rightmost address the proxy
	// appended; whatever the client wrote before it is ignored.
	from := func(ip string, i int) mod {
		return withHeader("X-Forwarded-For", fmt.Sprintf("10.9.%d.%d, %s", i/250, i%250, ip))
	}
	t.Run("TrustedProxy", func(t *testing.T) {
		e := h.env(t, sessions.Options{Guessing: sessions.GuessingOptions{
			Threshold: 10, Window: time.Minute, BlockCreation: true, TrustedProxies: []*net.IPNet{loopback},
		}})
		ySession := e.issued(e.do(t, "GET", "/set?k=cart&v=y", "", from(y, 0)))
		if ySession == "" {
			t.Fatal("Y got no session")
		}
		e.events.take()
		for i := range 100 {
			if user, _ := e.whoami(t, randomID(t), from(x, i)); user != "" {
				t.Fatal("a guessed ID was adopted")
			}
		}
		events := e.events.take()
		var hits []sessions.Event
		for _, ev := range events {
			if ev.Kind == sessions.EventGuessing {
				hits = append(hits, ev)
			}
		}
		if len(hits) != 1 || hits[0].IP != x {
			t.Fatalf("guessing events %+v, want exactly one for %s", hits, x)
		}
		if n := e.issued(e.do(t, "GET", "/set?k=cart&v=x", "", from(x, 1))); n != "" {
			t.Errorf("BlockCreation: the guessing client got a new session")
		}
		if n := e.issued(e.do(t, "GET", "/set?k=cart&v=y2", "", from(y, 1))); n == "" {
			t.Errorf("a client on another IP could not create a session")
		}
		if _, r := e.whoami(t, ySession, from(y, 2)); r.field("cart") != "y" {
			t.Errorf("a client on another IP lost its session")
		}
		e.clock.Advance(time.Minute)
		if n := e.issued(e.do(t, "GET", "/set?k=cart&v=x", "", from(x, 2))); n == "" {
			t.Errorf("the block outlived its window")
		}
	})
	t.Run("IPv6CountedPerSlash64", func(t *testing.T) {
		// An IPv6 client picks addresses from its /64 at will: counting per
		// address would never reach the threshold.
		e := h.env(t, sessions.Options{Guessing: sessions.GuessingOptions{
			Threshold: 10, BlockCreation: true, TrustedProxies: []*net.IPNet{loopback},
		}})
		for i := range 20 {
			e.whoami(t, randomID(t), withHeader("X-Forwarded-For", fmt.Sprintf("2001:db8:1:2:%x::%x", i, i+1)))
		}
		if n := countKind(e.events.take(), sessions.EventGuessing); n != 1 {
			t.Errorf("%d guessing events for 20 addresses of one /64, want 1", n)
		}
		if n := e.issued(e.do(t, "GET", "/set?k=cart&v=x", "", withHeader("X-Forwarded-For", "2001:db8:1:2::99"))); n != "" {
			t.Errorf("another address of the guessing /64 could create a session")
		}
		if n := e.issued(e.do(t, "GET", "/set?k=cart&v=x", "", withHeader("X-Forwarded-For", "2001:db8:1:3::1"))); n == "" {
			t.Errorf("a client in another /64 could not create a session")
		}
	})
	t.Run("UntrustedForwardedFor", func(t *testing.T) {
		e := h.env(t, sessions.Options{Guessing: sessions.GuessingOptions{Threshold: 10}})
		for i := range 10 {
			// Without trusted proxies a spoofed header cannot spread the count.
			e.whoami(t, randomID(t), withHeader("X-Forwarded-For", fmt.Sprintf("192.0.2.%d", i)))
		}
		var hits []sessions.Event
		for _, ev := range e.events.take() {
			if ev.Kind == sessions.EventGuessing {
				hits = append(hits, ev)
			}
		}
		if len(hits) != 1 || hits[0].IP != "127.0.0.1" {
			t.Fatalf("guessing events %+v, want one for the peer address 127.0.0.1", hits)
		}
	})
}

func testS47(t *testing.T, h *harness) {
	const (
		firefox      = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
		firefoxMinor = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.1"
		thief        = "curl/8.5.0"
	)
	for _, policy := range []sessions.BindPolicy{sessions.BindLog, sessions.BindDestroy} {
		t.Run(fmt.Sprint("policy=", policy), func(t *testing.T) {
			e := h.env(t, sessions.Options{Bind: sessions.BindUserAgent, BindPolicy: policy})
			e.ua = firefox
			id := e.login(t, "", "alice")
			e.events.take()
			e.assertUser(t, id, "alice", "a minor browser update")
			if user, _ := e.whoami(t, id, withUA(firefoxMinor)); user != "alice" {
				t.Errorf("a minor browser update broke the binding")
			}
			if n := countKind(e.events.take(), sessions.EventBindMismatch); n != 0 {
				t.Errorf("%d binding-mismatch events for the same browser", n)
			}
			user, _ := e.whoami(t, id, withUA(thief))
			if n := countKind(e.events.take(), sessions.EventBindMismatch); n != 1 {
				t.Errorf("%d binding-mismatch events for another client, want 1", n)
			}
			switch policy {
			case sessions.BindLog:
				if user != "alice" {
					t.Errorf("BindLog: the session was refused")
				}
				e.assertUser(t, id, "alice", "the owner after a logged mismatch")
			case sessions.BindDestroy:
				if user != "" {
					t.Errorf("BindDestroy: the other client got the session")
				}
				e.assertAnon(t, id, "the owner's ID after BindDestroy")
			}
		})
	}
}

func testS49(t *testing.T, h *harness) {
	e := h.env(t, sessions.Options{})
	defer func() {
		if t.Failed() {
			t.Logf("the manager's log:\n%s", e.logs.String())
		}
	}()
	id := e.login(t, "", "alice")
	e.do(t, "GET", "/set?k=cart&v=x", id)
	ops := []string{"get", "set", "increment", "renew", "destroy"}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var issued []string
	for i := range 100 {
		wg.Go(func() {
			r, err := e.doErr(t, "GET", "/race?op="+ops[i%len(ops)], id)
			if err != nil {
				t.Error(err)
				return
			}
			if r.code != http.StatusOK {
				t.Errorf("%s: status %d %q", ops[i%len(ops)], r.code, r.body)
			}
			if n := e.issued(r); n != "" {
				mu.Lock()
				issued = append(issued, n)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if slices.Contains(issued, id) {
		t.Fatal("the raced session's ID was issued again")
	}
	e.assertAnon(t, id, "the raced session after renewals and destroys")
	// Every record the manager created or renamed into is one whose ID a
	// response issued: nothing was written back under a dead key.
	valid := map[string]bool{}
	for _, n := range issued {
		valid[sessions.KeyOf(n)] = true
	}
	e.spy.mu.Lock()
	calls := slices.Clone(e.spy.calls)
	e.spy.mu.Unlock()
	for _, c := range calls {
		var key string
		switch c.op {
		case "create":
			key = c.key
		case "rename":
			key = c.key2
		default:
			continue
		}
		if valid[key] {
			continue
		}
		if _, found, err := e.inner.Load(t.Context(), key); err == nil && found {
			t.Errorf("the store holds a record whose ID no response issued (%s into %.8s…)", c.op, key)
		}
	}
}
