// Package redistest starts private redis-server processes, single nodes and
// Redis Clusters, for tests that need a real Redis.
//
// Every process listens on a free loopback port, keeps no data on disk
// unless asked to, is killed with SIGKILL when the test that started it
// ends (passed or failed), and on Linux is killed by the kernel if the test
// binary dies first (a timeout, a crash).
//
// The redis-server binary is /usr/bin/redis-server or the one on PATH. When
// there is none, the test is skipped with a message containing
// [SkipNoServer], which CI can turn into a failure.
package redistest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// SkipNoServer is in the message of every skip caused by a missing
// redis-server binary.
const SkipNoServer = "SKIP-NO-SERVER"

// Binary returns the path of redis-server, or skips t with a message
// containing [SkipNoServer].
func Binary(t testing.TB) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/redis-server", "redis-server"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	t.Skipf("%s: redis-server not found at /usr/bin/redis-server or on PATH; install it (apt-get install redis-server)", SkipNoServer)
	return ""
}

// freePorts returns n distinct loopback ports that were free a moment ago.
func freePorts(t testing.TB, n int) []int {
	t.Helper()
	var ports []int
	var ls []net.Listener
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	for _, l := range ls {
		l.Close()
	}
	return ports
}

// Server is a redis-server process owned by one test.
type Server struct {
	t    testing.TB
	bin  string
	dir  string
	port int
	args []string

	mu  sync.Mutex
	cmd *exec.Cmd
}

// StartServer starts redis-server on a free loopback port, without
// persistence, and returns once it answers PING. extraArgs are appended to
// the command line (for example "--appendonly", "yes"); a later setting
// overrides an earlier one. The process is killed when t ends. A missing
// binary skips t; a server that does not come up fails it.
func StartServer(t testing.TB, extraArgs ...string) *Server {
	t.Helper()
	s := newServer(t, Binary(t), freePorts(t, 1)[0], extraArgs)
	s.start()
	return s
}

// newServer prepares a server on port and arranges for it to be killed
// when t ends; start runs it.
func newServer(t testing.TB, bin string, port int, args []string) *Server {
	s := &Server{t: t, bin: bin, dir: t.TempDir(), port: port, args: args}
	t.Cleanup(s.Kill) // after TempDir's cleanup is registered, so it runs first
	return s
}

// Addr returns the server's host:port.
func (s *Server) Addr() string { return "127.0.0.1:" + strconv.Itoa(s.port) }

func (s *Server) start() {
	s.t.Helper()
	args := append([]string{
		"--port", strconv.Itoa(s.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no",
		"--dir", s.dir, "--logfile", filepath.Join(s.dir, "redis.log"),
	}, s.args...)
	cmd := exec.Command(s.bin, args...)
	setPdeathsig(cmd)
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("starting redis-server: %v", err)
	}
	s.mu.Lock()
	s.cmd = cmd
	s.mu.Unlock()
	c := redis.NewClient(&redis.Options{Addr: s.Addr(), DialTimeout: 200 * time.Millisecond, MaxRetries: -1, DialerRetries: 1})
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := c.Ping(ctx).Err()
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(s.dir, "redis.log"))
			s.t.Fatalf("redis-server on %s did not answer: %v\n%s", s.Addr(), err, log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Kill ends the process with SIGKILL: no shutdown, open connections drop.
// Killing a server that is not running does nothing. It is safe to call
// from any goroutine.
func (s *Server) Kill() {
	s.mu.Lock()
	cmd := s.cmd
	s.cmd = nil
	s.mu.Unlock()
	if cmd != nil {
		cmd.Process.Kill()
		cmd.Wait()
	}
}

// Restart kills the server if it is running and starts it again on the same
// port, in the same directory and with the same arguments, returning once it
// answers PING. Without persistence it comes back empty. If the server does
// not come up, Restart fails the test that started it, so call it from that
// test's goroutine.
func (s *Server) Restart() {
	s.t.Helper()
	s.Kill()
	s.start()
}

// Cluster is a Redis Cluster of primaries only (no replicas), owned by one
// test.
type Cluster struct {
	nodes []*Server
}

// StartCluster starts a Redis Cluster of the given number of primaries, the
// 16384 slots split evenly between them, and returns once every node reports
// cluster_state:ok. Its processes are killed when t ends, so one cluster can
// serve all of t's subtests. A missing binary skips t; a cluster that does
// not form fails it.
func StartCluster(t testing.TB, primaries int) *Cluster {
	t.Helper()
	if primaries < 1 {
		t.Fatalf("redistest.StartCluster: %d primaries, want at least 1", primaries)
	}
	c, err := newCluster(t, primaries)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func newCluster(t testing.TB, n int) (*Cluster, error) {
	t.Helper()
	bin := Binary(t)
	ports := freePorts(t, 2*n) // n client ports, then n cluster bus ports
	c := &Cluster{}
	for i := range n {
		s := newServer(t, bin, ports[i], []string{
			"--cluster-enabled", "yes",
			"--cluster-config-file", "nodes.conf",
			"--cluster-port", strconv.Itoa(ports[n+i]),
			"--cluster-node-timeout", "5000",
		})
		s.start()
		c.nodes = append(c.nodes, s)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var clients []*redis.Client
	for _, s := range c.nodes {
		cl := redis.NewClient(&redis.Options{Addr: s.Addr()})
		defer cl.Close()
		clients = append(clients, cl)
	}
	// Slots split n ways, then every node meets the first.
	for i, cl := range clients {
		lo, hi := i*16384/n, (i+1)*16384/n-1
		if err := cl.Do(ctx, "CLUSTER", "ADDSLOTSRANGE", lo, hi).Err(); err != nil {
			return nil, fmt.Errorf("CLUSTER ADDSLOTSRANGE on %s: %w", c.nodes[i].Addr(), err)
		}
		if err := cl.Do(ctx, "CLUSTER", "SET-CONFIG-EPOCH", i+1).Err(); err != nil {
			return nil, fmt.Errorf("CLUSTER SET-CONFIG-EPOCH on %s: %w", c.nodes[i].Addr(), err)
		}
	}
	for i := 1; i < n; i++ {
		if err := clients[0].Do(ctx, "CLUSTER", "MEET", "127.0.0.1", c.nodes[i].port, ports[n+i]).Err(); err != nil {
			return nil, fmt.Errorf("CLUSTER MEET %s: %w", c.nodes[i].Addr(), err)
		}
	}
	for i, cl := range clients {
		for {
			info, err := cl.ClusterInfo(ctx).Result()
			if err == nil && infoField(info, "cluster_state") == "ok" && infoField(info, "cluster_known_nodes") == strconv.Itoa(n) {
				break
			}
			if ctx.Err() != nil {
				return nil, fmt.Errorf("cluster node %s did not reach cluster_state:ok with %d nodes: %v\n%s", c.nodes[i].Addr(), n, err, info)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return c, nil
}

// infoField returns the value of name in CLUSTER INFO's name:value lines.
func infoField(info, name string) string {
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), name+":"); ok {
			return v
		}
	}
	return ""
}

// Addrs returns the host:port of every primary, in slot order.
func (c *Cluster) Addrs() []string {
	addrs := make([]string, len(c.nodes))
	for i, s := range c.nodes {
		addrs[i] = s.Addr()
	}
	return addrs
}
