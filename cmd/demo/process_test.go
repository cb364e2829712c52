package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/cmd/internal/storeurl"
	"github.com/sessionkit/sessions/cmd/internal/testenv"
	"github.com/sessionkit/sessions/internal/syncbuf"
	"github.com/sessionkit/sessions/stores/redis/redistest"
)

// These tests run the demo as real processes, the way the issues check it:
// several instances on one Redis, Redis killed and restarted under them, and
// the demo itself killed with SIGKILL in the middle of a write load.

var (
	buildOnce sync.Once
	demoBin   string
	buildErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if demoBin != "" {
		os.RemoveAll(filepath.Dir(demoBin))
	}
	os.Exit(code)
}

// binary builds the demo once per test run.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "demo-bin")
		if err != nil {
			buildErr = err
			return
		}
		demoBin = filepath.Join(dir, "demo")
		out, err := exec.Command("go", "build", "-o", demoBin, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return demoBin
}

// waitHTTP polls url until it answers or the timeout passes.
func waitHTTP(t *testing.T, url string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s did not answer within %v", url, timeout)
}

type proc struct {
	cmd  *exec.Cmd
	base string
}

// startDemo runs the demo binary with args on a loopback port the kernel
// picks (-addr 127.0.0.1:0), which the demo names in its "demo listening"
// log line: no other process can take the port between the test choosing
// it and the demo binding it.
func startDemo(t *testing.T, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(binary(t), append([]string{"-addr", "127.0.0.1:0"}, args...)...)
	listening := make(chan string, 1)
	cmd.Stderr = &prefixWriter{t: t, prefix: "demo: ", listening: listening}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd}
	t.Cleanup(func() { p.kill() })
	select {
	case addr := <-listening:
		p.base = "http://" + addr
	case <-time.After(15 * time.Second):
		t.Fatal("the demo did not log its listening address within 15s")
	}
	waitHTTP(t, p.base+"/", 15*time.Second)
	return p
}

// startLogged runs the demo binary with args on a loopback port the kernel
// picks, with its whole log kept in logs, and returns once it has logged
// its "demo listening" line, which it returns too.
func startLogged(t *testing.T, args ...string) (logs *syncbuf.Buffer, line string) {
	t.Helper()
	logs = new(syncbuf.Buffer)
	cmd := exec.Command(binary(t), append([]string{"-addr", "127.0.0.1:0"}, args...)...)
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		for l := range strings.Lines(logs.String()) {
			if strings.Contains(l, "demo listening addr=") && strings.HasSuffix(l, "\n") {
				return logs, strings.TrimSpace(l)
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the demo logged no listening line within 15s:\n%s", logs.String())
		}
	}
}

func (p *proc) kill() {
	if p.cmd.ProcessState == nil {
		p.cmd.Process.Signal(syscall.SIGKILL)
		p.cmd.Wait()
	}
}

// prefixWriter takes a demo's log: it passes its ERROR lines to the test's
// log, and sends the address of its "demo listening addr=HOST:PORT" line to
// listening, once.
type prefixWriter struct {
	t         *testing.T
	prefix    string
	listening chan<- string
	mu        sync.Mutex
	partial   string // a line not yet ended
	told      bool
}

func (w *prefixWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	text := w.partial + string(b)
	lines := strings.Split(text, "\n")
	w.partial = lines[len(lines)-1]
	for _, line := range lines[:len(lines)-1] {
		if strings.Contains(line, "ERROR") {
			w.t.Log(w.prefix + line)
		}
		if _, rest, ok := strings.Cut(line, "demo listening addr="); ok && !w.told && w.listening != nil {
			addr, _, _ := strings.Cut(rest, " ")
			w.listening <- addr
			w.told = true
		}
	}
	return len(b), nil
}

// rawClient talks plain HTTP to loopback demos and keeps the session cookie
// itself (net/http's cookie jar never sends a Secure cookie over http, while
// browsers and curl do for localhost).
type rawClient struct {
	t      *testing.T
	mu     sync.Mutex
	cookie string
	csrf   string
	hc     http.Client
}

func (c *rawClient) do(base, method, path, body string) (int, string, error) {
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	c.mu.Lock()
	if c.cookie != "" {
		req.Header.Set("Cookie", sessions.DefaultCookieName+"="+c.cookie)
	}
	if c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	c.mu.Unlock()
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, ck := range resp.Cookies() {
		if ck.Name == sessions.DefaultCookieName {
			c.mu.Lock()
			c.cookie = ck.Value
			c.mu.Unlock()
		}
	}
	return resp.StatusCode, string(b), nil
}

func (c *rawClient) must(base, method, path, body string, want int) string {
	c.t.Helper()
	code, out, err := c.do(base, method, path, body)
	if err != nil || code != want {
		c.t.Fatalf("%s %s%s = %d %q, %v; want %d", method, base, path, code, out, err, want)
	}
	return out
}

func (c *rawClient) session(base string) sessionView {
	c.t.Helper()
	var v sessionView
	if err := json.Unmarshal([]byte(c.must(base, "GET", "/api/session", "", 200)), &v); err != nil {
		c.t.Fatal(err)
	}
	c.csrf = v.CSRF
	return v
}

// TestTwoDemosShareRedis runs two demos on the Redis at redisAddr.
func TestTwoDemosShareRedis(t *testing.T) {
	testenv.RequireRedis(t)
	testTwoDemosShareStore(t, "redis://"+testenv.RedisAddr()+"/0")
}

// TestTwoDemosShareRedisCluster is TestTwoDemosShareRedis on a private
// three-primary Redis Cluster.
func TestTwoDemosShareRedisCluster(t *testing.T) {
	cluster := redistest.StartCluster(t, 3)
	testTwoDemosShareStore(t, "redis+cluster://"+strings.Join(cluster.Addrs(), ","))
}

// testTwoDemosShareStore runs two demos on store and uses one session
// across both: writes on one must be read on the other, and concurrent
// distinct-key writes and counter increments spread over both must all land.
func testTwoDemosShareStore(t *testing.T, store string) {
	a, b := startDemo(t, "-store", store), startDemo(t, "-store", store)
	c := &rawClient{t: t, hc: http.Client{Timeout: 10 * time.Second}}
	first := c.session(a.base)
	for i := range 10 {
		base := []string{a.base, b.base}[i%2]
		c.must(base, "PUT", "/api/session/values/step", fmt.Sprint(i), http.StatusNoContent)
		other := []string{b.base, a.base}[i%2]
		if v := c.session(other); v.ID != first.ID || v.Values["step"] != float64(i) {
			t.Fatalf("step %d written on one demo, read on the other: id %s… step %v", i, v.ID[:8], v.Values["step"])
		}
	}
	const n = 50
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(2)
		base := []string{a.base, b.base}[i%2]
		go func() {
			defer wg.Done()
			if code, body, err := c.do(base, "PUT", fmt.Sprintf("/api/session/values/k%02d", i), fmt.Sprint(i)); err != nil || code != http.StatusNoContent {
				t.Errorf("PUT k%02d = %d %q, %v", i, code, body, err)
			}
		}()
		go func() {
			defer wg.Done()
			if code, body, err := c.do(base, "POST", "/api/session/counters/hits", ""); err != nil || code != http.StatusOK {
				t.Errorf("POST counter = %d %q, %v", code, body, err)
			}
		}()
	}
	wg.Wait()
	v := c.session(b.base)
	keys := 0
	for k := range v.Values {
		if strings.HasPrefix(k, "k") {
			keys++
		}
	}
	if keys != n || v.Values["hits"] != float64(n) {
		t.Fatalf("after %d PUTs and %d increments over two demos: %d keys, hits = %v", n, n, keys, v.Values["hits"])
	}
}

func TestRedisOutageAndRecovery(t *testing.T) {
	// An append-only file brings the sessions back after the restart.
	srv := redistest.StartServer(t, "--appendonly", "yes", "--appendfsync", "always")
	demo := startDemo(t, "-store", "redis://"+srv.Addr()+"/0")
	c := &rawClient{t: t, hc: http.Client{Timeout: 10 * time.Second}}
	before := c.session(demo.base)
	c.must(demo.base, "PUT", "/api/session/values/name", `"kept"`, http.StatusNoContent)

	srv.Kill()
	for _, path := range []string{"/api/session", "/get"} {
		start := time.Now()
		code, body, err := c.do(demo.base, "GET", path, "")
		if err != nil {
			t.Fatalf("GET %s with Redis down: %v", path, err)
		}
		if code != http.StatusServiceUnavailable || strings.Contains(body, "kept") {
			t.Fatalf("GET %s with Redis down = %d %q, want 503 and no session data", path, code, body)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("GET %s with Redis down took %v; want a fast failure", path, d)
		}
	}
	code, body, _ := c.do(demo.base, "PUT", "/api/session/values/x", "1")
	if code != http.StatusServiceUnavailable && code != http.StatusForbidden {
		t.Fatalf("PUT with Redis down = %d %q, want 503 (or 403: no token can be checked)", code, body)
	}

	srv.Restart()
	deadline := time.Now().Add(10 * time.Second)
	for {
		code, body, err := c.do(demo.base, "GET", "/api/session", "")
		if err == nil && code == http.StatusOK {
			var v sessionView
			json.Unmarshal([]byte(body), &v)
			if v.ID != before.ID || v.Values["name"] != "kept" {
				t.Fatalf("after Redis came back: session %+v, want the same session with name=kept", v)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the demo did not recover after Redis restarted: %d %q %v", code, body, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func TestKill9KeepsAcknowledgedWrites(t *testing.T) {
	specs := map[string]func(t *testing.T) string{
		"bolt": func(t *testing.T) string { return "bolt:" + filepath.Join(t.TempDir(), "s.db") },
		"postgres": func(t *testing.T) string {
			testenv.Postgres(t, storeurl.Redact)
			return testenv.PostgresURL()
		},
	}
	for name, spec := range specs {
		t.Run(name, func(t *testing.T) {
			store := spec(t)
			demo := startDemo(t, "-store", store)
			c := &rawClient{t: t, hc: http.Client{Timeout: 10 * time.Second}}
			c.session(demo.base)

			const total, workers = 1000, 4
			var mu sync.Mutex
			acked := map[string]bool{}
			var wg sync.WaitGroup
			for w := range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := w; i < total; i += workers {
						key := fmt.Sprintf("k%04d", i)
						code, _, err := c.do(demo.base, "PUT", "/api/session/values/"+key, fmt.Sprint(i))
						if err != nil {
							return // the demo is gone
						}
						if code == http.StatusNoContent {
							mu.Lock()
							acked[key] = true
							mu.Unlock()
						}
					}
				}()
			}
			loadDone := make(chan struct{})
			go func() { wg.Wait(); close(loadDone) }()
			// Kill the demo once a good part of the load is acknowledged.
			for {
				mu.Lock()
				n := len(acked)
				mu.Unlock()
				if n >= total/3 {
					break
				}
				select {
				case <-loadDone:
					// Every PUT was sent and too few were acknowledged: the
					// demo refused them, and waiting would never end.
					t.Fatalf("%d of %d PUTs acknowledged before the load ended, want at least %d to kill the demo under", n, total, total/3)
				case <-time.After(5 * time.Millisecond):
				}
			}
			demo.kill()
			<-loadDone

			again := startDemo(t, "-store", store)
			v := c.session(again.base)
			missing := 0
			for key := range acked {
				if _, ok := v.Values[key]; !ok {
					missing++
				}
			}
			if missing > 0 {
				t.Fatalf("%d of %d acknowledged writes lost after kill -9", missing, len(acked))
			}
			t.Logf("%s: %d writes acknowledged before kill -9, all present after restart (%d values stored)", name, len(acked), len(v.Values))
		})
	}
}
