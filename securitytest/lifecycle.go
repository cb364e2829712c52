package securitytest

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

func testS16(t *testing.T, h *harness) {
	e := h.env(t, sessions.Options{RotateAfter: time.Minute})
	id := e.newSession(t, "cart")
	id = e.login(t, id, "alice")
	id = e.issued(e.do(t, "GET", "/renew", id))
	e.clock.Advance(2 * time.Minute)
	_, r := e.whoami(t, id)
	if n := e.issued(r); n == "" {
		t.Fatal("no rotation after RotateAfter")
	} else {
		id = n
	}
	e.post(t, "/logout", id)
	e.do(t, "GET", "/whoami", "", withCookieHeader(e.name+"="+randomID(t)))
	seen := 0
	for _, r := range e.responses() {
		if r.sessionCookie(e.name) == nil {
			continue
		}
		seen++
		cc := r.header.Values("Cache-Control")
		if !containsToken(cc, "no-store") {
			t.Errorf("a response setting the session cookie has Cache-Control %q, want no-store", cc)
		}
		if !containsToken(r.header.Values("Vary"), "Cookie") {
			t.Errorf("a response setting the session cookie has Vary %q, want Cookie", r.header.Values("Vary"))
		}
	}
	if seen < 5 {
		t.Fatalf("only %d responses set or cleared the cookie, want at least 5 (create, token, login, renew, rotate, logout)", seen)
	}
}

// containsToken reports whether a comma-separated header holds tok.
func containsToken(values []string, tok string) bool {
	for _, v := range values {
		for part := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(part), tok) {
				return true
			}
		}
	}
	return false
}

func testS17(t *testing.T, h *harness) {
	e := h.env(t, sessions.Options{KeepOnLogin: []string{"cart"}})
	before := e.newSession(t, "book") // e.g. planted by an attacker who knows it
	e.spy.reset()
	after := e.login(t, before, "alice")
	if after == before {
		t.Fatal("Login kept the session ID")
	}
	oldKey, newKey := sessions.KeyOf(before), sessions.KeyOf(after)
	to, renamed := e.spy.renamed(oldKey)
	deleted := e.spy.count("delete", oldKey) > 0 && e.spy.count("create", newKey) > 0
	if !(renamed && to == newKey) && !deleted {
		t.Errorf("the store saw neither Rename(old, new) nor Delete(old)+Create(new)")
	}
	e.assertAnon(t, before, "the pre-login ID after Login (fixation)")
	user, r := e.whoami(t, after)
	if user != "alice" || r.field("cart") != "book" {
		t.Errorf("after Login: user=%q cart=%q, want alice and the allowlisted cart", user, r.field("cart"))
	}
	rec := e.record(t, after)
	if rec.AuthTime != e.clock.Now().UnixNano() || rec.Created != rec.AuthTime {
		t.Errorf("after Login: AuthTime=%d Created=%d, want both the login time %d", rec.AuthTime, rec.Created, e.clock.Now().UnixNano())
	}

	// Renew: new ID, old dead at once, data and user kept.
	r = e.do(t, "GET", "/renew", after)
	renewed := e.issued(r)
	if renewed == "" || renewed == after {
		t.Fatalf("Renew issued %q, want a new ID", renewed)
	}
	e.assertAnon(t, after, "the ID replaced by Renew")
	if user, r := e.whoami(t, renewed); user != "alice" || r.field("cart") != "book" {
		t.Errorf("after Renew: user=%q cart=%q", user, r.field("cart"))
	}
}

func testS18(t *testing.T, h *harness) {
	e := h.env(t, sessions.Options{KeepOnLogin: []string{"cart"}})
	pre := e.newSession(t, "book")
	e.do(t, "GET", "/set?k=planted&v=evil", pre)
	tokPre, _ := e.token(t, pre)
	r := e.do(t, "POST", "/login?user=alice", pre, withHeader("X-CSRF-Token", tokPre))
	after := e.issued(r)
	if r.code != http.StatusOK || after == "" {
		t.Fatalf("login: %d", r.code)
	}
	if r := e.do(t, "POST", "/action", after, withHeader("X-CSRF-Token", tokPre)); r.code != http.StatusForbidden {
		t.Errorf("the pre-login CSRF token still works after Login: %d", r.code)
	}
	tokPost, _ := e.token(t, after)
	if bytes.Equal(unmask(tokPre), unmask(tokPost)) {
		t.Errorf("Login kept the CSRF secret")
	}
	if r := e.do(t, "POST", "/action", after, withHeader("X-CSRF-Token", tokPost)); r.code != http.StatusOK {
		t.Errorf("the post-login token fails: %d", r.code)
	}
	if _, r := e.whoami(t, after); r.field("planted") != "" || r.field("cart") != "book" {
		t.Errorf("after Login: planted=%q cart=%q; want only the allowlisted cart", r.field("planted"), r.field("cart"))
	}
	// Renew rotates the secret too.
	renewed := e.issued(e.do(t, "GET", "/renew", after))
	if r := e.do(t, "POST", "/action", renewed, withHeader("X-CSRF-Token", tokPost)); r.code != http.StatusForbidden {
		t.Errorf("a token minted before Renew still works: %d", r.code)
	}
}

func testS19(t *testing.T, h *harness) {
	for _, idle := range []time.Duration{0, 5 * time.Minute} {
		t.Run(fmt.Sprint("idle=", idle), func(t *testing.T) {
			e := h.env(t, sessions.Options{IdleTimeout: idle})
			if idle == 0 {
				idle = 30 * time.Minute // the documented default
			}
			id := e.login(t, "", "alice")
			for range 3 {
				e.clock.Advance(idle - time.Second)
				e.assertUser(t, id, "alice", "1s before the idle timeout")
				rec := e.record(t, id)
				if got := rec.LastSeen; got != e.clock.Now().UnixNano() {
					t.Fatalf("LastSeen not updated by a request: %d, want %d", got, e.clock.Now().UnixNano())
				}
				if want := rec.LastSeen + int64(idle); rec.Expires != want {
					t.Fatalf("the record's store deadline is %d, want LastSeen+idle %d", rec.Expires, want)
				}
			}
			e.clock.Advance(idle + time.Second)
			e.spy.reset()
			e.events.take()
			e.assertAnon(t, id, "idle timeout + 1s")
			if e.spy.count("delete", sessions.KeyOf(id)) == 0 {
				t.Errorf("the manager did not delete the idle-expired record")
			}
			if n := countKind(e.events.take(), sessions.EventExpiredIdle); n != 1 {
				t.Errorf("%d expired-idle events, want 1", n)
			}
		})
	}
}

func testS20(t *testing.T, h *harness) {
	const lifetime = 12 * time.Hour // the documented default
	e := h.env(t, sessions.Options{RotateAfter: 10 * time.Minute})
	start := e.clock.Now()
	id := e.login(t, "", "alice")
	created := e.record(t, id).Created
	// Touch every idle/2 and renew, explicitly and by rotation, until just
	// before the absolute deadline.
	for e.clock.Now().Sub(start) < lifetime-15*time.Minute {
		e.clock.Advance(15 * time.Minute)
		e.follow(t, &id, "alice", "before the absolute timeout")
		if n := e.issued(e.do(t, "GET", "/renew", id)); n != "" {
			id = n
		}
		rec := e.record(t, id)
		if got := rec.Created; got != created {
			t.Fatalf("activity or renewal moved the absolute-lifetime anchor: Created %d -> %d", created, got)
		}
		if limit := created + int64(lifetime); rec.Expires > limit {
			t.Fatalf("the record's store deadline %d is past the absolute deadline %d", rec.Expires, limit)
		}
	}
	e.clock.Advance(start.Add(lifetime + time.Second).Sub(e.clock.Now()))
	e.events.take()
	e.assertAnon(t, id, "absolute timeout + 1s despite activity")
	if n := countKind(e.events.take(), sessions.EventExpiredAbsolute); n != 1 {
		t.Errorf("%d expired-absolute events, want 1", n)
	}

	// Only Login restarts the lifetime.
	start = e.clock.Now()
	id = e.login(t, "", "bob")
	for e.clock.Now().Sub(start) < lifetime/2 {
		e.clock.Advance(20 * time.Minute)
		e.follow(t, &id, "bob", "before re-login")
	}
	id = e.login(t, id, "bob")
	for e.clock.Now().Sub(start) <= lifetime+time.Minute {
		e.clock.Advance(20 * time.Minute)
		e.follow(t, &id, "bob", "after re-login, past the first login's deadline")
	}
}

func testS21(t *testing.T, h *harness) {
	e := h.env(t, sessions.Options{})
	now := e.clock.Now().UnixNano()
	hour := int64(time.Hour)
	cases := []struct {
		name string
		meta sessions.Meta
	}{
		{"past absolute", sessions.Meta{Created: now - 13*hour, Renewed: now - 13*hour, LastSeen: now - int64(time.Minute), AuthTime: now - 13*hour, Expires: now + hour, User: "alice"}},
		{"past idle", sessions.Meta{Created: now - hour, Renewed: now - hour, LastSeen: now - int64(31*time.Minute), AuthTime: now - hour, Expires: now + hour, User: "alice"}},
		{"zero metadata", sessions.Meta{Expires: now + hour, User: "alice"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// Written straight into the backend with a store deadline still
			// ahead: only the manager's own check can refuse it.
			id := randomID(t)
			rec := &sessions.Record{Meta: c.meta}
			rec.SetField("cart", "stale")
			if err := e.inner.Create(t.Context(), sessions.KeyOf(id), rec); err != nil {
				t.Fatalf("Create: %v", err)
			}
			e.assertAnon(t, id, c.name)
			r := e.do(t, "GET", "/set?k=cart&v=new", id)
			if n := e.issued(r); n == "" || n == id {
				t.Errorf("a write with the expired ID issued %q, want a fresh ID", n)
			}
			if e.live(t, id) {
				t.Errorf("the expired record came back after a commit")
			}
		})
	}
}

// rotated logs alice in, lets RotateAfter (every) pass, and returns her ID
// and the one the rotation on the next request issued.
func rotated(t *testing.T, e *env, every time.Duration) (id0, id1 string) {
	t.Helper()
	id0 = e.login(t, "", "alice")
	e.clock.Advance(every + time.Second)
	_, r := e.whoami(t, id0)
	if id1 = e.issued(r); id1 == "" {
		t.Fatal("no rotation")
	}
	return id0, id1
}

func testS22(t *testing.T, h *harness) {
	const every, grace = 10 * time.Minute, time.Second
	opts := sessions.Options{RotateAfter: every, RotateGrace: grace}
	// The subtests that act within the grace get the longest one, so that
	// it cannot end under them on a slow or loaded machine (stores expire
	// aliases on real time).
	within := sessions.Options{RotateAfter: every, RotateGrace: time.Minute}

	t.Run("RotatesKeepingLifetime", func(t *testing.T) {
		e := h.env(t, opts)
		id0 := e.login(t, "", "alice")
		created := e.record(t, id0).Created
		e.clock.Advance(every - time.Second)
		if _, r := e.whoami(t, id0); e.issued(r) != "" {
			t.Fatal("rotated before RotateAfter")
		}
		e.clock.Advance(2 * time.Second)
		user, r := e.whoami(t, id0)
		id1 := e.issued(r)
		if user != "alice" || id1 == "" || id1 == id0 {
			t.Fatalf("at RotateAfter+1s: user %q, new ID %q; want alice and a new ID", user, id1)
		}
		if got := e.record(t, id1).Created; got != created {
			t.Errorf("rotation moved the absolute-lifetime anchor")
		}
		// Within the grace the old ID still works, and is not rotated again.
		user, r = e.whoami(t, id0)
		if user != "alice" || e.issued(r) != "" {
			t.Errorf("old ID within the grace: user %q, new cookie %q; want alice and none", user, e.issued(r))
		}
		// The new ID's age counts from the rotation, not the login.
		if user, r := e.whoami(t, id1); user != "alice" || e.issued(r) != "" {
			t.Errorf("new ID right after the rotation: user %q, new cookie %q; want alice and none", user, e.issued(r))
		}
		deadline := time.Now().Add(grace + 4*time.Second)
		for e.live(t, id0) {
			if time.Now().After(deadline) {
				t.Fatalf("the old ID still works %v after a %v grace", grace+4*time.Second, grace)
			}
			time.Sleep(100 * time.Millisecond)
		}
		e.assertAnon(t, id0, "old ID after the grace")
		e.assertUser(t, id1, "alice", "new ID after the grace")
	})

	// A request still carrying the rotated ID within the grace acts on the
	// renamed session: its handle is the renamed session's, and a login on
	// it renews that session rather than being dropped. This needs the
	// store's Load to call sessions.ReportAlias.
	t.Run("OldIDActsOnRenamedSession", func(t *testing.T) {
		e := h.env(t, sessions.Options{RotateAfter: every, RotateGrace: time.Minute})
		id0, id1 := rotated(t, e, every)
		if got := e.do(t, "GET", "/id", id0).body; got != sessions.KeyOf(id1) {
			t.Errorf("Session.ID on a request with the rotated ID: %q, want the renamed session's %q", got, sessions.KeyOf(id1))
		}
		tok, _ := e.token(t, id0)
		r := e.do(t, "POST", "/login?user=bob", id0, withHeader("X-CSRF-Token", tok))
		id2 := e.issued(r)
		if r.code != http.StatusOK || id2 == "" {
			t.Fatalf("login sent with the rotated ID within the grace: status %d %q, new ID %q; want 200 and a new ID", r.code, r.body, id2)
		}
		e.assertUser(t, id2, "bob", "the session of a login sent with the rotated ID")
		e.assertAnon(t, id1, "the renamed session after that login renewed it")
		e.assertAnon(t, id0, "the rotated ID after that login")
	})

	t.Run("ParallelRequestsStayLoggedIn", func(t *testing.T) {
		e := h.env(t, within)
		id0 := e.login(t, "", "alice")
		e.clock.Advance(every + time.Second)
		var wg sync.WaitGroup
		var mu sync.Mutex
		var issued []string
		for range 16 {
			wg.Go(func() {
				r, err := e.doErr(t, "GET", "/whoami", id0)
				if err != nil {
					t.Error(err)
					return
				}
				if u := r.field("user"); r.code != http.StatusOK || u != "alice" {
					t.Errorf("a parallel request during rotation: %d user=%q; want alice", r.code, u)
				}
				if n := e.issued(r); n != "" {
					mu.Lock()
					issued = append(issued, n)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if len(issued) == 0 {
			t.Fatal("no rotation among the parallel requests")
		}
		for _, id := range issued {
			e.assertUser(t, id, "alice", "an ID issued by a parallel rotation")
		}
	})

	t.Run("ParallelWritesSurvive", func(t *testing.T) {
		e := h.env(t, within)
		id0 := e.login(t, "", "alice")
		e.clock.Advance(every + time.Second)
		const n = 16
		e.spy.mu.Lock()
		e.spy.gate = newGate(n) // every request loads the pre-rotation snapshot
		e.spy.mu.Unlock()
		var wg sync.WaitGroup
		var mu sync.Mutex
		var issued []string
		for i := range n {
			wg.Go(func() {
				r, err := e.doErr(t, "GET", fmt.Sprintf("/set?k=k%02d&v=v", i), id0)
				if err != nil || r.code != http.StatusOK {
					t.Errorf("a parallel write during rotation failed: %v", err)
					return
				}
				if id := e.issued(r); id != "" {
					mu.Lock()
					issued = append(issued, id)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		e.spy.mu.Lock()
		e.spy.gate = nil
		e.spy.mu.Unlock()
		if len(issued) == 0 {
			t.Fatal("no rotation")
		}
		rec := e.record(t, issued[len(issued)-1])
		for i := range n {
			if _, ok := rec.Lookup(fmt.Sprintf("k%02d", i)); !ok {
				t.Errorf("the write of parallel request %d was lost to the rotation", i)
			}
		}
	})

	t.Run("LogoutWithOldIDDuringGrace", func(t *testing.T) {
		e := h.env(t, within)
		id0, id1 := rotated(t, e, every)
		// A logout sent with the old ID (another tab, a request already in
		// flight) must end the session, not just the old ID's grace.
		if r := e.post(t, "/logout", id0); r.code != http.StatusOK {
			t.Fatalf("logout: %d", r.code)
		}
		e.assertAnon(t, id1, "the rotated ID after a logout sent with the old ID")
		e.assertAnon(t, id0, "the old ID after logout")
	})
}

func testS23(t *testing.T, h *harness) {
	cases := []struct {
		name string
		opts sessions.Options
	}{
		{"default", sessions.Options{}},
		{"path and domain", sessions.Options{CookieName: "sid", Path: "/app", Domain: "example.test"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := h.env(t, c.opts)
			id := e.login(t, "", "alice")
			all := e.responses()
			login := all[len(all)-1].sessionCookie(e.name)
			e.spy.reset()
			r := e.post(t, "/logout", id)
			ck := r.sessionCookie(e.name)
			if ck == nil {
				t.Fatal("logout sent no Set-Cookie")
			}
			if ck.Value != "" || ck.MaxAge >= 0 || !strings.Contains(ck.Raw, "Max-Age=0") {
				t.Errorf("logout cookie %q does not expire the cookie (want an empty value and Max-Age=0)", ck.Raw)
			}
			if ck.Path != login.Path || ck.Domain != login.Domain || !ck.Secure || !ck.HttpOnly || ck.SameSite != login.SameSite {
				t.Errorf("logout cookie %q differs from the login cookie %q in Path, Domain, Secure, HttpOnly or SameSite", ck.Raw, login.Raw)
			}
			if e.spy.count("delete", sessions.KeyOf(id)) == 0 {
				t.Errorf("logout did not delete the record")
			}
			e.assertAnon(t, id, "replay after logout")
		})
	}
}

func testS24(t *testing.T, h *harness) {
	e := h.env(t, sessions.Options{})
	for _, op := range []string{"set", "renew", "login", "increment", "token"} {
		t.Run(op, func(t *testing.T) {
			id := e.login(t, "", "alice")
			e.do(t, "GET", "/set?k=cart&v=before", id)
			tok, _ := e.token(t, id)
			done := make(chan *result, 1)
			go func() {
				r, err := e.doErr(t, "GET", "/barrier?op="+op, id)
				if err != nil {
					t.Error(err)
				}
				done <- r
			}()
			select {
			case <-e.loaded:
			case <-time.After(10 * time.Second):
				t.Fatal("request A never loaded its session")
			}
			if r := e.do(t, "POST", "/logout", id, withHeader("X-CSRF-Token", tok)); r.code != http.StatusOK {
				t.Fatalf("request B's logout: %d", r.code)
			}
			e.spy.reset()
			e.release <- struct{}{}
			a := <-done
			if a == nil {
				t.FailNow()
			}
			if n := e.issued(a); n != "" {
				t.Errorf("request A (%s after a parallel logout) issued a session cookie", op)
			}
			if e.spy.count("create", "") != 0 {
				t.Errorf("request A (%s after a parallel logout) created a record", op)
			}
			e.assertAnon(t, id, "replay after the parallel logout")
		})
	}
}

// dupRand returns block for the first n reads of 32 bytes, then crypto/rand.
type dupRand struct {
	block [32]byte
	n     atomic.Int32
}

func (r *dupRand) Read(p []byte) (int, error) {
	if len(p) == 32 && r.n.Add(-1) >= 0 {
		return copy(p, r.block[:]), nil
	}
	return rand.Read(p)
}

func testS25(t *testing.T, h *harness) {
	for _, repeats := range []int32{2, 1 << 20} {
		t.Run(fmt.Sprint("repeats=", repeats), func(t *testing.T) {
			src := &dupRand{}
			_, _ = rand.Read(src.block[:])
			src.n.Store(repeats)
			e := h.env(t, sessions.Options{Rand: src})
			first := e.newSession(t, "first")
			if first != base64.RawURLEncoding.EncodeToString(src.block[:]) {
				t.Fatal("the first ID is not the stub's block")
			}
			r := e.do(t, "GET", "/set?k=cart&v=second", "")
			second := e.issued(r)
			switch {
			case second == first:
				t.Fatal("a colliding ID was issued to a second client")
			case repeats == 2 && (second == "" || r.code != http.StatusOK):
				t.Errorf("after one collision: status %d, ID %q; want a retry with a fresh ID", r.code, second)
			case repeats > 2 && (second != "" || r.code < 500):
				t.Errorf("with every ID colliding: status %d, ID %q; want 5xx and no cookie", r.code, second)
			}
			if got := e.spy.count("create", sessions.KeyOf(first)); got < 2 {
				t.Errorf("the colliding Create was not attempted (%d creates)", got)
			}
			if _, r := e.whoami(t, first); r.field("cart") != "first" {
				t.Errorf("the first session's data after a collision: cart=%q, want first", r.field("cart"))
			}
		})
	}
}

func testS26(t *testing.T, h *harness) {
	e := h.env(t, sessions.Options{})
	var u []string
	for range 3 {
		u = append(u, e.login(t, "", "ursula"))
		e.clock.Advance(time.Second)
	}
	v := e.login(t, "", "victor")
	cur := u[2]
	if r := e.do(t, "GET", "/list", cur); !strings.HasPrefix(r.body, "count=3 ") {
		t.Fatalf("ListSessions before revocation: %q, want 3", r.body)
	}
	// Revoke one: only a session of the caller's own user.
	r := e.post(t, "/revoke?h="+sessions.KeyOf(v), cur)
	if !strings.HasPrefix(r.body, "revoked=false") {
		t.Errorf("a user revoked another user's session: %q", r.body)
	}
	e.assertUser(t, v, "victor", "another user's session after a foreign revoke")
	// Anonymous sessions belong to no one: an anonymous caller cannot revoke one.
	anon, other := e.newSession(t, "cart"), e.newSession(t, "cart")
	if r := e.post(t, "/revoke?h="+sessions.KeyOf(other), anon); !strings.HasPrefix(r.body, "revoked=false") {
		t.Errorf("an anonymous caller revoked an anonymous session: %q", r.body)
	}
	if !e.live(t, other) {
		t.Errorf("an anonymous session is gone after an anonymous caller's revoke")
	}
	r = e.post(t, "/revoke?h="+sessions.KeyOf(u[0]), cur)
	if !strings.HasPrefix(r.body, "revoked=true") {
		t.Errorf("revoke one: %q", r.body)
	}
	e.assertAnon(t, u[0], "a revoked session")
	// Revoke all but the current one ("log out other devices").
	r = e.post(t, "/revoke-others", cur)
	if !strings.HasPrefix(r.body, "revoked=1 ") {
		t.Errorf("revoke others: %q, want 1 revoked", r.body)
	}
	e.assertAnon(t, u[1], "a session revoked by revoke-all-but-current")
	e.assertUser(t, cur, "ursula", "the current session")
	e.assertUser(t, v, "victor", "another user's session")
	r = e.do(t, "GET", "/list", cur)
	if !strings.HasPrefix(r.body, "count=1 ") || !strings.Contains(r.body, sessions.KeyOf(cur)) {
		t.Errorf("ListSessions after revocation: %q, want only the current session", r.body)
	}
	// Revoke everything (account disabled, password changed).
	if n, err := e.m.DestroyUserSessions(t.Context(), "ursula", ""); err != nil || n != 1 {
		t.Errorf("DestroyUserSessions(all): %d, %v", n, err)
	}
	e.assertAnon(t, cur, "the last session after revoke-all")
	t.Run("RevokeRacingRenewal", func(t *testing.T) { testRevokeRacingRenewal(t, h) })
}

func testS27(t *testing.T, h *harness) {
	for _, policy := range []sessions.LimitPolicy{sessions.EvictOldest, sessions.LimitReject} {
		t.Run(fmt.Sprint("policy=", policy), func(t *testing.T) {
			e := h.env(t, sessions.Options{MaxPerUser: 2, LimitPolicy: policy})
			a := e.login(t, "", "alice")
			e.clock.Advance(time.Second)
			b := e.login(t, "", "alice")
			e.clock.Advance(time.Second)
			tok, pre := e.token(t, "")
			r := e.do(t, "POST", "/login?user=alice", pre, withHeader("X-CSRF-Token", tok))
			switch policy {
			case sessions.EvictOldest:
				c := e.issued(r)
				if r.code != http.StatusOK || c == "" {
					t.Fatalf("third login: %d", r.code)
				}
				e.assertAnon(t, a, "the oldest session after a third login")
				e.assertUser(t, b, "alice", "the second session")
				e.assertUser(t, c, "alice", "the third session")
			case sessions.LimitReject:
				if r.code != http.StatusConflict {
					t.Fatalf("third login: %d, want the handler's refusal", r.code)
				}
				if user, _ := e.whoami(t, pre); user != "" {
					t.Errorf("a refused login still logged in")
				}
				e.assertUser(t, a, "alice", "the first session")
				e.assertUser(t, b, "alice", "the second session")
			}
		})
	}

	// Logins racing at the cap: each lists the user's sessions before any
	// of them is stored, so each finds room. Evicting the oldest must still
	// leave exactly MaxPerUser sessions once all are done.
	t.Run("racing logins, policy=evict-oldest", func(t *testing.T) {
		const n, max = 4, 2
		e := h.env(t, sessions.Options{MaxPerUser: max})
		type pre struct{ tok, id string }
		pres := make([]pre, n)
		for i := range pres {
			pres[i].tok, pres[i].id = e.token(t, "")
		}
		e.spy.mu.Lock()
		e.spy.lists = newGate(n) // every login lists before any is stored
		e.spy.mu.Unlock()
		var wg sync.WaitGroup
		for _, p := range pres {
			wg.Go(func() {
				r, err := e.doErr(t, "POST", "/login?user=alice", p.id, withHeader("X-CSRF-Token", p.tok))
				if err != nil || r.code != http.StatusOK {
					t.Errorf("a racing login failed: %v", err)
				}
			})
		}
		wg.Wait()
		e.spy.mu.Lock()
		e.spy.lists = nil
		e.spy.mu.Unlock()
		list, err := e.m.UserSessions(t.Context(), "alice")
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != max {
			t.Errorf("after %d logins racing at MaxPerUser %d: %d sessions, want %d", n, max, len(list), max)
		}
	})
}

func testS28(t *testing.T, h *harness) {
	e := h.env(t, sessions.Options{})
	id := e.login(t, "", "alice")
	recent := func() string {
		t.Helper()
		return e.do(t, "GET", "/recent?d=10m", id).body
	}
	if got := recent(); got != "recent=true" {
		t.Fatalf("right after login: %s", got)
	}
	e.clock.Advance(20 * time.Minute)
	if got := recent(); got != "recent=false" {
		t.Errorf("20 minutes after login, RequireRecentAuth(10m): %s, want false", got)
	}
	id = e.login(t, id, "alice")
	if got := recent(); got != "recent=true" {
		t.Errorf("after re-login: %s, want true", got)
	}
	anon := e.newSession(t, "x")
	if got := e.do(t, "GET", "/recent?d=10m", anon).body; got != "recent=false" {
		t.Errorf("an anonymous session: %s, want false", got)
	}
}

func testS29(t *testing.T, h *harness) {
	e := h.env(t, sessions.Options{})
	const n, workers = 10000, 8
	var next atomic.Int64
	var wg sync.WaitGroup
	var cookies atomic.Int64
	for range workers {
		wg.Go(func() {
			for next.Add(1) <= n {
				r, err := e.doErr(t, "GET", "/whoami", "")
				if err != nil {
					t.Error(err)
					return
				}
				if r.code != http.StatusOK {
					t.Errorf("status %d", r.code)
				}
				if len(r.cookies) > 0 {
					cookies.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if c := cookies.Load(); c != 0 {
		t.Errorf("%d of %d cookieless reads got a Set-Cookie", c, n)
	}
	if w, l := e.spy.writes(), e.spy.count("load", ""); w != 0 || l != 0 {
		t.Errorf("%d cookieless reads made %d store writes and %d loads, want none", n, w, l)
	}
	// Unknown and malformed cookies: a lookup at most, never a write.
	for i := range 100 {
		v := randomID(t)
		if i%2 == 1 {
			v = "junk"
		}
		if r := e.do(t, "GET", "/whoami", v); len(r.cookies) > 0 {
			t.Fatalf("a read with an unknown cookie got a Set-Cookie")
		}
	}
	if w := e.spy.writes(); w != 0 {
		t.Errorf("reads with unknown cookies made %d store writes", w)
	}
}
