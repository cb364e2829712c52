package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/sessionkit/sessions/internal/syncbuf"
)

// The demo server (cmd/demo) with its default flags, as a real process,
// driven through the browser: its JSON API from its own pages, and a form
// from another site.

// demoSession is the part of GET /api/session the test reads.
type demoSession struct {
	User   string         `json:"user"`
	Values map[string]any `json:"values"`
	CSRF   string         `json:"csrf"`
}

var (
	demoOnce sync.Once
	demoBin  string
	demoErr  error
)

// demoBinary builds cmd/demo once per test binary.
func demoBinary(t *testing.T) string {
	t.Helper()
	demoOnce.Do(func() {
		dir, err := os.MkdirTemp("", "sessions-e2e-demo-")
		if err != nil {
			demoErr = err
			return
		}
		demoBin = filepath.Join(dir, "demo")
		out, err := exec.Command("go", "build", "-o", demoBin, "github.com/sessionkit/sessions/cmd/demo").CombinedOutput()
		if err != nil {
			demoErr = fmt.Errorf("go build cmd/demo (run the tests inside the repository's go.work): %v\n%s", err, out)
		}
	})
	if demoErr != nil {
		t.Fatal(demoErr)
	}
	return demoBin
}

// startDemo runs the demo on a free loopback port and returns its URL as
// http://localhost:PORT.
func startDemo(t *testing.T) string {
	t.Helper()
	url, _ := runDemo(t, demoBinary(t))
	return url
}

// runDemo runs the demo binary bin as startDemo does, and returns its URL
// and process. The demo listens on a port the kernel picks (-addr
// 127.0.0.1:0), which it names in its "demo listening" log line, so no
// other process can take the port between a test choosing it and the demo
// binding it. The process is killed when the test ends, and by the kernel
// if the test binary dies first (a -timeout, a kill), so that no demo
// outlives the tests.
func runDemo(t *testing.T, bin string) (string, *os.Process) {
	t.Helper()
	var logs syncbuf.Buffer
	cmd := exec.Command(bin, "-addr", "127.0.0.1:0")
	cmd.Stdout, cmd.Stderr = &logs, &logs
	dieWithTests(cmd)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("demo output:\n%s", logs.String())
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		if addr := listeningAddr(logs.String()); addr != "" {
			resp, err := http.Get("http://" + addr + "/")
			if err != nil {
				t.Fatalf("the demo said it listens on %s, but GET / failed: %v", addr, err)
			}
			resp.Body.Close()
			_, port, _ := net.SplitHostPort(addr)
			return "http://localhost:" + port, cmd.Process
		}
		if time.Now().After(deadline) {
			t.Fatalf("the demo did not log its listening address within 10s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// listeningAddr returns the address in the demo's "demo listening
// addr=HOST:PORT" log line, or "" before the line is written in full.
func listeningAddr(logs string) string {
	for line := range strings.Lines(logs) {
		_, rest, ok := strings.Cut(line, "demo listening addr=")
		if !ok || !strings.HasSuffix(line, "\n") {
			continue
		}
		addr, _, _ := strings.Cut(strings.TrimSpace(rest), " ")
		return addr
	}
	return ""
}

func TestDemoInBrowser(t *testing.T) {
	// The demo first: building it can take longer than the tab's deadline
	// (a cold build cache, a busy machine), which would fail the first step
	// in the browser with a bare "context deadline exceeded".
	demo := startDemo(t)
	ctx := tab(t)
	const cookieName = "__Host-id"

	session := func() demoSession {
		t.Helper()
		res := eval[fetchResult](t, ctx, fetchJS("/api/session", "{}"))
		if res.Status != http.StatusOK {
			t.Fatalf("GET /api/session = %+v", res)
		}
		return decode[demoSession](t, res.Body)
	}
	send := func(method, path, body, token string) fetchResult {
		t.Helper()
		headers := map[string]string{"Content-Type": "application/json"}
		if token != "" {
			headers["X-CSRF-Token"] = token
		}
		return eval[fetchResult](t, ctx, fetchJS(path, fmt.Sprintf(`{method: %q, headers: %s, body: %q}`, method, jsonString(headers), body)))
	}
	sessionCookie := func() string {
		t.Helper()
		if c := cookieNamed(cookies(t, ctx, demo+"/"), cookieName); c != nil {
			return c.Value
		}
		return ""
	}

	run(t, ctx, chromedp.Navigate(demo+"/"))
	s := session()

	t.Run("cookie", func(t *testing.T) {
		c := cookieNamed(cookies(t, ctx, demo+"/"), cookieName)
		if c == nil {
			t.Fatalf("after GET /api/session the browser holds %s, want %s", describe(cookies(t, ctx, demo+"/")), cookieName)
		}
		if !c.Secure || !c.HTTPOnly || c.SameSite != network.CookieSameSiteLax || c.Path != "/" || c.Domain != "localhost" || !c.Session {
			t.Errorf("the demo's cookie is %s, want Secure HttpOnly SameSite=Lax Path=/ host-only session", describe(cookies(t, ctx, demo+"/")))
		}
		if dc := eval[string](t, ctx, `document.cookie`); strings.Contains(dc, cookieName) {
			t.Errorf("document.cookie = %q shows the session cookie", dc)
		}
	})

	t.Run("csrf", func(t *testing.T) {
		for _, tc := range []struct {
			name, token string
			want        int
		}{
			{"with the token", s.CSRF, http.StatusNoContent},
			{"without a token", "", http.StatusForbidden},
		} {
			res := send("PUT", "/api/session/values/color", `"blue"`, tc.token)
			if res.Status != tc.want {
				t.Errorf("PUT /api/session/values/color %s = %+v, want %d", tc.name, res, tc.want)
			}
			if tc.want == http.StatusForbidden && !strings.Contains(res.Body, `"error"`) {
				t.Errorf("the refusal's body is %q, want the demo's JSON error", res.Body)
			}
		}
		if got := session().Values["color"]; got != "blue" {
			t.Errorf("after the PUT the session holds color = %v, want blue", got)
		}
	})

	t.Run("cross-site form", func(t *testing.T) {
		// enctype=text/plain makes the body {"user":"mallory","x":"="},
		// which the demo's JSON decoder would take for a login.
		cookie := sessionCookie()
		evil := attacker(t, map[string]string{"/": fmt.Sprintf(`<!doctype html>
<form method="POST" enctype="text/plain" action="%s/api/login">
<input type="hidden" name='{"user":"mallory","x":"' value='"}'>
<input type="hidden" name="csrf_token" value="%s">
</form><script>document.forms[0].submit()</script>`, html.EscapeString(demo), html.EscapeString(s.CSRF))})
		run(t, ctx, chromedp.Navigate(evil+"/"))
		body := waitPage(t, ctx, demo+"/api/login")
		if !strings.Contains(body, "CSRF check failed") {
			t.Errorf("the cross-site form's answer reads %q, want the demo's CSRF refusal", body)
		}
		run(t, ctx, chromedp.Navigate(demo+"/"))
		if got := session(); got.User != "" || got.Values["color"] != "blue" {
			t.Errorf("after the cross-site form the session is %+v, want it unchanged (no user, color blue)", got)
		}
		if got := sessionCookie(); got != cookie {
			t.Errorf("the cross-site form changed the browser's session cookie")
		}
	})

	t.Run("login and logout", func(t *testing.T) {
		seen := map[string]bool{sessionCookie(): true}
		for round := range 2 {
			token := session().CSRF
			if res := send("POST", "/api/login", `{"user":"alice"}`, token); res.Status != http.StatusNoContent {
				t.Fatalf("round %d: POST /api/login = %+v", round, res)
			}
			id := sessionCookie()
			if id == "" || seen[id] {
				t.Fatalf("round %d: after login the browser holds session ID %q, seen before: %v", round, id, seen[id])
			}
			seen[id] = true
			got := session()
			if got.User != "alice" {
				t.Fatalf("round %d: after login GET /api/session shows user %q", round, got.User)
			}
			if res := send("POST", "/api/logout", "", got.CSRF); res.Status != http.StatusNoContent {
				t.Fatalf("round %d: POST /api/logout = %+v", round, res)
			}
			if id := sessionCookie(); id != "" {
				t.Fatalf("round %d: after logout the browser still holds %s", round, describe(cookies(t, ctx, demo+"/")))
			}
			if got := session(); got.User != "" {
				t.Fatalf("round %d: after logout GET /api/session shows user %q", round, got.User)
			}
			seen[sessionCookie()] = true
		}
	})
}

// waitPage waits until the tab shows a loaded page at url, and returns its
// text. A page that is still navigating has no document to read, so errors
// in between are retried.
func waitPage(t *testing.T, ctx context.Context, url string) string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		v, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[location.href, document.readyState, document.body ? document.body.innerText : ""]`))
		if err == nil && len(v) == 3 {
			last = v[0]
			if v[0] == url && v[1] == "complete" {
				return v[2]
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("the tab did not show %s within 5s (last at %q)", url, last)
	return ""
}

func decode[T any](t *testing.T, body string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("decoding %q: %v", body, err)
	}
	return v
}
