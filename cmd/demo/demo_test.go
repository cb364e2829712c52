package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/cmd/internal/storeurl"
)

// client is a browser-like test client: a cookie jar and the CSRF token of
// the current session.
type client struct {
	t    *testing.T
	base string
	hc   *http.Client
	csrf string
}

func newClient(t *testing.T, srv *httptest.Server) *client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	hc := *srv.Client()
	hc.Jar = jar
	return &client{t: t, base: srv.URL, hc: &hc}
}

func (c *client) do(method, path, body string) (int, string) {
	c.t.Helper()
	code, _, b := c.doHeader(method, path, body, nil)
	return code, b
}

// doHeader is do with headers of the caller's added to the request, and
// the response's headers returned too.
func (c *client) doHeader(method, path, body string, h http.Header) (int, http.Header, string) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	for k, vs := range h {
		req.Header[k] = vs
	}
	if c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

// session fetches GET /api/session and keeps its CSRF token.
func (c *client) session() sessionView {
	c.t.Helper()
	code, body := c.do("GET", "/api/session", "")
	if code != http.StatusOK {
		c.t.Fatalf("GET /api/session = %d %s", code, body)
	}
	var v sessionView
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		c.t.Fatalf("GET /api/session body %q: %v", body, err)
	}
	c.csrf = v.CSRF
	return v
}

// demoServer starts the demo's handler on the store spec over TLS, with the
// manager the default flags describe.
func demoServer(t *testing.T, spec string) *httptest.Server {
	t.Helper()
	store, closeStore, err := storeurl.Open(context.Background(), spec, testCookieKey)
	if err != nil {
		t.Fatalf("storeurl.Open(%s): %v", spec, err)
	}
	t.Cleanup(closeStore)
	return serveDemo(t, store)
}

// serveDemo serves the demo's handlers over TLS with store and the
// manager the flags in args configure.
func serveDemo(t *testing.T, store sessions.Store, args ...string) *httptest.Server {
	t.Helper()
	c, err := parseFlags(args)
	if err != nil {
		t.Fatal(err)
	}
	m, err := newManager(c, store)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(m.Handler(newMux(m)))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // clients closing idle TLS connections
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

// uniqueUser returns a user name no other test run uses, so that tests
// sharing a Redis or PostgreSQL store do not see each other's sessions.
func uniqueUser() string { return fmt.Sprintf("alice-%d", time.Now().UnixNano()) }

// login logs the client in as user and fails the test unless the demo
// answers 204.
func (c *client) login(user string) {
	c.t.Helper()
	if code, body := c.do("POST", "/api/login", `{"user":"`+user+`"}`); code != http.StatusNoContent {
		c.t.Fatalf("login as %q = %d %s", user, code, body)
	}
}

func TestSeedEndpoints(t *testing.T) {
	forEachStore(t, func(t *testing.T, spec string) {
		c := newClient(t, demoServer(t, spec))
		for _, step := range []struct{ path, want string }{
			{"/get", "The name on the /set was: "},
			{"/set", "All ok session setted to: kataras"},
			{"/get", "The name on the /set was: kataras"},
			{"/delete", ""},
			{"/get", "The name on the /set was: "},
			{"/set", "All ok session setted to: kataras"},
			{"/clear", ""},
			{"/get", "The name on the /set was: "},
			{"/set", "All ok session setted to: kataras"},
			{"/destroy", ""},
			{"/get", "The name on the /set was: "},
		} {
			if code, body := c.do("GET", step.path, ""); code != 200 || body != step.want {
				t.Fatalf("GET %s = %d %q, want 200 %q", step.path, code, body, step.want)
			}
		}
	})
}

func TestMadeUpCookieNotAdopted(t *testing.T) {
	forEachStore(t, func(t *testing.T, spec string) {
		srv := demoServer(t, spec)
		madeUp := "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
		req, _ := http.NewRequest("GET", srv.URL+"/set", nil)
		req.AddCookie(&http.Cookie{Name: sessions.DefaultCookieName, Value: madeUp})
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		cs := resp.Cookies()
		if len(cs) != 1 || cs[0].Value == madeUp || cs[0].Value == "" {
			t.Fatalf("made-up cookie: response cookies %v, want one fresh ID", cs)
		}
	})
}

func TestConcurrentWritesAndCounters(t *testing.T) {
	forEachStore(t, func(t *testing.T, spec string) {
		if spec == "cookie" {
			t.Skip("the cookie store has no server-side state to merge concurrent requests into: each response carries its own copy")
		}
		c := newClient(t, demoServer(t, spec))
		c.session()
		const n = 50
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(2)
			go func() {
				defer wg.Done()
				if code, body := c.do("PUT", fmt.Sprintf("/api/session/values/k%02d", i), fmt.Sprint(i)); code != http.StatusNoContent {
					t.Errorf("PUT k%02d = %d %s", i, code, body)
				}
			}()
			go func() {
				defer wg.Done()
				if code, body := c.do("POST", "/api/session/counters/hits", ""); code != http.StatusOK {
					t.Errorf("POST counter = %d %s", code, body)
				}
			}()
		}
		wg.Wait()
		v := c.session()
		keys := 0
		for k := range v.Values {
			if strings.HasPrefix(k, "k") {
				keys++
			}
		}
		if keys != n {
			t.Errorf("%d concurrent PUTs of distinct keys left %d keys", n, keys)
		}
		if hits, _ := v.Values["hits"].(float64); hits != n {
			t.Errorf("%d concurrent increments left hits = %v", n, v.Values["hits"])
		}
	})
}

func TestCSRFRequired(t *testing.T) {
	forEachStore(t, func(t *testing.T, spec string) {
		c := newClient(t, demoServer(t, spec))
		c.session()
		token := c.csrf
		c.csrf = ""
		if code, body := c.do("PUT", "/api/session/values/x", "1"); code != http.StatusForbidden || !strings.Contains(body, `"error"`) {
			t.Fatalf("PUT without token = %d %s, want 403 JSON error", code, body)
		}
		c.csrf = "wrong"
		if code, _ := c.do("PUT", "/api/session/values/x", "1"); code != http.StatusForbidden {
			t.Fatalf("PUT with a wrong token = %d, want 403", code)
		}
		c.csrf = token
		if code, _ := c.do("PUT", "/api/session/values/x", "1"); code != http.StatusNoContent {
			t.Fatalf("PUT with the token = %d, want 204", code)
		}
		req, _ := http.NewRequest("PUT", c.base+"/api/session/values/y", strings.NewReader("1"))
		req.Header.Set("X-CSRF-Token", token)
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		resp, err := c.hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("cross-site PUT with a valid token = %d, want 403", resp.StatusCode)
		}
	})
}

func TestLoginAndDevices(t *testing.T) {
	forEachStore(t, func(t *testing.T, spec string) {
		if strings.HasPrefix(spec, "cookie") {
			t.Skip("the cookie store keeps no server-side index of a user's sessions")
		}
		srv := demoServer(t, spec)
		user := uniqueUser()
		var devices []*client
		for range 3 {
			c := newClient(t, srv)
			before := c.session().ID
			if code, body := c.do("POST", "/api/login", `{"user":"`+user+`"}`); code != http.StatusNoContent {
				t.Fatalf("login = %d %s", code, body)
			}
			after := c.session()
			if after.ID == before || after.User != user {
				t.Fatalf("login kept the ID (%s) or did not set the user (%q)", before[:8], after.User)
			}
			devices = append(devices, c)
		}
		code, body := devices[0].do("GET", "/api/sessions", "")
		var list []sessionInfo
		if code != 200 || json.Unmarshal([]byte(body), &list) != nil || len(list) != 3 {
			t.Fatalf("GET /api/sessions = %d %s, want 3 sessions", code, body)
		}
		current := 0
		for _, in := range list {
			if in.Current {
				current++
			}
		}
		if current != 1 {
			t.Fatalf("%d sessions marked current, want 1", current)
		}
		// Revoke device 2 from device 0.
		id2 := devices[2].session().ID
		if code, body := devices[0].do("DELETE", "/api/sessions/"+id2, ""); code != http.StatusNoContent {
			t.Fatalf("revoke one = %d %s", code, body)
		}
		if v := devices[2].session(); v.User != "" {
			t.Fatalf("revoked device still logged in as %q", v.User)
		}
		// A handle that is not the user's is refused.
		other := newClient(t, srv)
		otherID := other.session().ID
		if code, _ := devices[0].do("DELETE", "/api/sessions/"+otherID, ""); code != http.StatusNotFound {
			t.Fatalf("revoking another user's session = %d, want 404", code)
		}
		if v := other.session(); v.ID != otherID {
			t.Fatalf("another user's session was touched")
		}
		// Log out everywhere.
		devices[1].session()
		if code, body := devices[1].do("DELETE", "/api/sessions", ""); code != http.StatusNoContent {
			t.Fatalf("revoke all = %d %s", code, body)
		}
		for i := range 2 {
			if v := devices[i].session(); v.User != "" {
				t.Fatalf("device %d still logged in after log out everywhere", i)
			}
		}
		if code, _ := devices[0].do("GET", "/api/sessions", ""); code != http.StatusUnauthorized {
			t.Fatalf("GET /api/sessions after logout = %d, want 401", code)
		}
	})
}

func TestErrorsAreJSON(t *testing.T) {
	c := newClient(t, demoServer(t, "memory"))
	c.session()
	for _, tc := range []struct {
		method, path, body string
		code               int
	}{
		{"PUT", "/api/session/values/x", "{not json", http.StatusBadRequest},
		{"POST", "/api/login", `{"user": ""}`, http.StatusBadRequest},
		{"GET", "/api/sessions", "", http.StatusUnauthorized},
		{"GET", "/api/nope", "", http.StatusNotFound},
	} {
		code, body := c.do(tc.method, tc.path, tc.body)
		var e struct {
			Error string `json:"error"`
		}
		if code != tc.code || json.Unmarshal([]byte(body), &e) != nil || e.Error == "" {
			t.Errorf("%s %s = %d %q, want %d with a JSON error", tc.method, tc.path, code, body, tc.code)
		}
	}
}

// TestInsecureCookieFlag checks the -insecure-cookie flag on its own and
// with -cookie: the demo starts (newManager accepts the configuration the
// flags give), and over plain HTTP the session cookie comes without Secure
// and carries the session to the next request.
func TestInsecureCookieFlag(t *testing.T) {
	for _, tc := range []struct {
		name       string
		args       []string
		wantSecure bool
	}{
		{"default", nil, true},
		{"-insecure-cookie", []string{"-insecure-cookie"}, false},
		{"-insecure-cookie -cookie sid", []string{"-insecure-cookie", "-cookie", "sid"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := parseFlags(tc.args)
			if err != nil {
				t.Fatal(err)
			}
			store, closeStore, err := storeurl.Open(context.Background(), "memory", "")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(closeStore)
			m, err := newManager(c, store)
			if err != nil {
				t.Fatalf("demo %v does not start: %v", tc.args, err)
			}
			srv := httptest.NewServer(m.Handler(newMux(m)))
			t.Cleanup(srv.Close)
			resp, err := srv.Client().Get(srv.URL + "/set")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			var sc *http.Cookie
			for _, ck := range resp.Cookies() {
				if ck.Name == m.CookieName() {
					sc = ck
				}
			}
			if sc == nil {
				t.Fatalf("GET /set issued no %s cookie: %q", m.CookieName(), resp.Header.Values("Set-Cookie"))
			}
			if sc.Secure != tc.wantSecure {
				t.Errorf("cookie Secure = %v, want %v", sc.Secure, tc.wantSecure)
			}
			req, _ := http.NewRequest("GET", srv.URL+"/get", nil)
			req.AddCookie(&http.Cookie{Name: sc.Name, Value: sc.Value})
			resp, err = srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if want := "The name on the /set was: kataras"; string(body) != want {
				t.Errorf("GET /get = %q, want %q", body, want)
			}
		})
	}
}
