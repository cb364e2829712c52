package redis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
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
	"go.uber.org/goleak"
)

// Every test here talks to a real redis-server: the one at
// SESSIONS_REDIS_ADDR, or processes the test starts itself from
// /usr/bin/redis-server (or the one on PATH). A missing server is a skip
// whose message contains SKIP-NO-SERVER, which CI turns into a failure.

func TestMain(m *testing.M) {
	// go-redis logs every failed dial; the outage and option tests make
	// plenty on purpose.
	redis.SetLogger(quietLogger{})
	goleak.VerifyTestMain(m)
}

type quietLogger struct{}

func (quietLogger) Printf(context.Context, string, ...any) {}

const skipNoServer = "SKIP-NO-SERVER"

// sharedAddr is the single-node Redis the conformance suite runs against.
func sharedAddr() string {
	if a := os.Getenv("SESSIONS_REDIS_ADDR"); a != "" {
		return a
	}
	return "127.0.0.1:6379"
}

// testClientOptions fail fast, like NewFromURL's defaults.
func testClientOptions(addr string) *redis.Options {
	return &redis.Options{
		Addr:          addr,
		DialTimeout:   time.Second,
		ReadTimeout:   2 * time.Second,
		WriteTimeout:  2 * time.Second,
		MaxRetries:    1,
		DialerRetries: 1,
	}
}

// sharedClient connects to sharedAddr or skips the test.
func sharedClient(t *testing.T) *redis.Client {
	t.Helper()
	c := redis.NewClient(testClientOptions(sharedAddr()))
	t.Cleanup(func() { c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		t.Skipf("%s: redis not reachable at %s (set SESSIONS_REDIS_ADDR): %v", skipNoServer, sharedAddr(), err)
	}
	return c
}

// testPrefix returns a key prefix no other test uses.
func testPrefix(t *testing.T) string {
	var b [6]byte
	rand.Read(b[:])
	return "sesstest:" + hex.EncodeToString(b[:]) + ":"
}

// newTestStore returns a store with a private prefix whose keys are deleted
// when the test ends.
func newTestStore(t *testing.T, c redis.UniversalClient, o Options) *Store {
	t.Helper()
	if o.Prefix == "" {
		o.Prefix = testPrefix(t)
	}
	s, err := NewWithOptions(c, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { deletePrefix(t, c, o.Prefix) })
	return s
}

// keysWithPrefix lists every key under prefix, on every primary.
func keysWithPrefix(t *testing.T, c redis.UniversalClient, prefix string) []string {
	t.Helper()
	ctx := context.Background()
	var mu sync.Mutex
	var keys []string
	scan := func(ctx context.Context, n redis.UniversalClient) error {
		iter := n.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			mu.Lock()
			keys = append(keys, iter.Val())
			mu.Unlock()
		}
		return iter.Err()
	}
	var err error
	if cc, ok := c.(*redis.ClusterClient); ok {
		err = cc.ForEachMaster(ctx, func(ctx context.Context, n *redis.Client) error { return scan(ctx, n) })
	} else {
		err = scan(ctx, c)
	}
	if err != nil {
		t.Errorf("scanning %s*: %v", prefix, err)
	}
	return keys
}

func deletePrefix(t *testing.T, c redis.UniversalClient, prefix string) {
	t.Helper()
	for _, k := range keysWithPrefix(t, c, prefix) {
		c.Del(context.Background(), k)
	}
}

// redisBinary returns the path of redis-server or skips the test.
func redisBinary(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/redis-server", "redis-server"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	t.Skipf("%s: redis-server not found at /usr/bin/redis-server or on PATH; install it (apt-get install redis-server)", skipNoServer)
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

// server is a redis-server process the test owns.
type server struct {
	t    testing.TB
	bin  string
	dir  string
	port int
	args []string

	mu  sync.Mutex
	cmd *exec.Cmd
}

func (s *server) addr() string { return "127.0.0.1:" + strconv.Itoa(s.port) }

// startServer starts redis-server on a free port, without persistence, and
// kills it when the test ends.
func startServer(t *testing.T, extra ...string) *server {
	t.Helper()
	s := &server{t: t, bin: redisBinary(t), dir: t.TempDir(), port: freePorts(t, 1)[0], args: extra}
	t.Cleanup(s.kill)
	s.start()
	return s
}

func (s *server) start() {
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
	c := redis.NewClient(&redis.Options{Addr: s.addr(), DialTimeout: 200 * time.Millisecond, MaxRetries: -1, DialerRetries: 1})
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
			s.t.Fatalf("redis-server on %s did not answer: %v\n%s", s.addr(), err, log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// kill ends the process with SIGKILL: no shutdown, connections drop.
func (s *server) kill() {
	s.mu.Lock()
	cmd := s.cmd
	s.cmd = nil
	s.mu.Unlock()
	if cmd != nil {
		cmd.Process.Kill()
		cmd.Wait()
	}
}

// cluster is a three-primary Redis Cluster a test starts for its subtests.
type cluster struct {
	nodes []*server
}

// startCluster starts a cluster whose processes are killed when t ends, so
// one cluster serves all of t's subtests.
func startCluster(t *testing.T) *cluster {
	t.Helper()
	c, err := newCluster(t)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func newCluster(t *testing.T) (*cluster, error) {
	bin := redisBinary(t)
	ports := freePorts(t, 6)
	c := &cluster{}
	for i := range 3 {
		s := &server{t: t, bin: bin, dir: t.TempDir(), port: ports[i], args: []string{
			"--cluster-enabled", "yes",
			"--cluster-config-file", "nodes.conf",
			"--cluster-port", strconv.Itoa(ports[3+i]),
			"--cluster-node-timeout", "5000",
		}}
		t.Cleanup(s.kill)
		s.start()
		c.nodes = append(c.nodes, s)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var clients []*redis.Client
	for _, n := range c.nodes {
		cl := redis.NewClient(&redis.Options{Addr: n.addr()})
		defer cl.Close()
		clients = append(clients, cl)
	}
	// Slots split three ways, then every node meets the first.
	for i, cl := range clients {
		lo, hi := i*16384/3, (i+1)*16384/3-1
		if err := cl.Do(ctx, "CLUSTER", "ADDSLOTSRANGE", lo, hi).Err(); err != nil {
			return nil, fmt.Errorf("CLUSTER ADDSLOTSRANGE on %s: %w", c.nodes[i].addr(), err)
		}
		if err := cl.Do(ctx, "CLUSTER", "SET-CONFIG-EPOCH", i+1).Err(); err != nil {
			return nil, fmt.Errorf("CLUSTER SET-CONFIG-EPOCH: %w", err)
		}
	}
	for i := 1; i < 3; i++ {
		if err := clients[0].Do(ctx, "CLUSTER", "MEET", "127.0.0.1", c.nodes[i].port, ports[3+i]).Err(); err != nil {
			return nil, fmt.Errorf("CLUSTER MEET: %w", err)
		}
	}
	for _, cl := range clients {
		for {
			info, err := cl.ClusterInfo(ctx).Result()
			if err == nil && strings.Contains(info, "cluster_state:ok") && strings.Contains(info, "cluster_known_nodes:3") {
				break
			}
			if ctx.Err() != nil {
				return nil, fmt.Errorf("cluster did not reach cluster_state:ok: %v\n%s", err, info)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return c, nil
}

// client returns a cluster client closed when the test ends.
func (c *cluster) client(t *testing.T) *redis.ClusterClient {
	var addrs []string
	for _, n := range c.nodes {
		addrs = append(addrs, n.addr())
	}
	cl := redis.NewClusterClient(&redis.ClusterOptions{
		Addrs:         addrs,
		DialTimeout:   time.Second,
		ReadTimeout:   2 * time.Second,
		WriteTimeout:  2 * time.Second,
		MaxRetries:    1,
		DialerRetries: 1,
	})
	t.Cleanup(func() { cl.Close() })
	return cl
}
