// Package redistest starts private redis-server processes, single nodes,
// Redis Clusters and Sentinel deployments, for tests that need a real Redis.
// A test can change a running cluster the way an operator does: move a hash
// slot to another primary step by step ([Cluster.BeginMigration]), add a
// replica ([Cluster.AddReplica]) and fail a primary over to it
// ([Cluster.Failover]); and it can make Sentinel fail a primary over, on
// request ([Sentinel.Failover]) or because the primary died
// ([Sentinel.WaitFailover]).
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
	conf string // a Sentinel's config file; "" for a data node

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
	var args []string
	if s.conf != "" {
		args = []string{s.conf, "--sentinel"}
	}
	args = append(append(args,
		"--port", strconv.Itoa(s.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no",
		"--dir", s.dir, "--logfile", filepath.Join(s.dir, "redis.log"),
	), s.args...)
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

// Cluster is a Redis Cluster owned by one test: the primaries StartCluster
// started, and any replicas AddReplica added.
type Cluster struct {
	bin      string
	nodes    []*Server // the primaries StartCluster started, in slot order
	replicas []*Server
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
	c := &Cluster{bin: bin}
	for i := range n {
		s := newServer(t, bin, ports[i], clusterArgs(ports[n+i]))
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

// clusterArgs are the command-line arguments of a cluster node whose
// cluster bus listens on busPort.
func clusterArgs(busPort int) []string {
	return []string{
		"--cluster-enabled", "yes",
		"--cluster-config-file", "nodes.conf",
		"--cluster-port", strconv.Itoa(busPort),
		"--cluster-node-timeout", "5000",
		// A new replica's first sync starts at once, not after 5s.
		"--repl-diskless-sync-delay", "0",
	}
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

// Addrs returns the host:port of every node StartCluster started, in slot
// order: the primaries, unless a Failover has demoted one. Replicas are not
// included; any node serves as a seed address for a cluster client.
func (c *Cluster) Addrs() []string {
	addrs := make([]string, len(c.nodes))
	for i, s := range c.nodes {
		addrs[i] = s.Addr()
	}
	return addrs
}

// clusterDo runs one command on the node at addr with a short-lived client.
func clusterDo(ctx context.Context, addr string, args ...any) *redis.Cmd {
	cl := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	defer cl.Close()
	return cl.Do(ctx, args...)
}

// nodeID returns the cluster node ID of the node at addr.
func nodeID(ctx context.Context, addr string) (string, error) {
	return clusterDo(ctx, addr, "CLUSTER", "MYID").Text()
}

// isPrimary reports whether the node at addr is a primary.
func isPrimary(ctx context.Context, addr string) bool {
	role, err := clusterDo(ctx, addr, "ROLE").Slice()
	return err == nil && len(role) > 0 && role[0] == "master"
}

// allNodes returns every node of c, primaries and replicas.
func (c *Cluster) allNodes() []*Server {
	return append(append([]*Server(nil), c.nodes...), c.replicas...)
}

// Slot returns the hash slot of key, as CLUSTER KEYSLOT computes it: the
// CRC16 of the key's hash tag (the part between the first '{' and the next
// '}', if not empty), or of the whole key, modulo 16384.
func Slot(key string) int {
	if i := strings.IndexByte(key, '{'); i >= 0 {
		if j := strings.IndexByte(key[i+1:], '}'); j > 0 {
			key = key[i+1 : i+1+j]
		}
	}
	var crc uint16
	for k := 0; k < len(key); k++ {
		crc = crc<<8 ^ crc16Table[byte(crc>>8)^key[k]]
	}
	return int(crc) % 16384
}

// crc16Table is the CRC16-CCITT (XMODEM) table Redis Cluster hashes with.
var crc16Table = func() (t [256]uint16) {
	for i := range t {
		crc := uint16(i) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
		t[i] = crc
	}
	return t
}()

// slotOwners returns, for each slot range in the node at addr's CLUSTER
// SLOTS reply, its first slot and the host:port of its primary.
func slotOwners(ctx context.Context, addr string) (map[int64]string, []slotRange, error) {
	reply, err := clusterDo(ctx, addr, "CLUSTER", "SLOTS").Slice()
	if err != nil {
		return nil, nil, err
	}
	owners := map[int64]string{}
	var ranges []slotRange
	for _, e := range reply {
		r, _ := e.([]any)
		if len(r) < 3 {
			continue
		}
		lo, _ := r[0].(int64)
		hi, _ := r[1].(int64)
		n, _ := r[2].([]any)
		if len(n) < 2 {
			continue
		}
		owner := fmt.Sprintf("%v:%v", n[0], n[1])
		owners[lo] = owner
		ranges = append(ranges, slotRange{lo, hi, owner})
	}
	return owners, ranges, nil
}

// slotRange is a range of slots, lo to hi, and its primary's host:port.
type slotRange struct {
	lo, hi int64
	owner  string
}

// Owner returns the host:port of the primary that owns slot, as the node
// StartCluster started first sees it. It fails t if that node cannot say.
func (c *Cluster) Owner(t testing.TB, slot int) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, ranges, err := slotOwners(ctx, c.nodes[0].Addr())
	if err != nil {
		t.Fatalf("CLUSTER SLOTS on %s: %v", c.nodes[0].Addr(), err)
	}
	for _, r := range ranges {
		if r.lo <= int64(slot) && int64(slot) <= r.hi {
			return r.owner
		}
	}
	t.Fatalf("slot %d has no owner", slot)
	return ""
}

// Migration is a hash slot on its way from one primary to another, moved
// in the steps redis-cli --cluster reshard takes, so that a test can run
// traffic between them: BeginMigration marks the slot IMPORTING on the
// target and MIGRATING on the source (the source then answers ASK for keys
// it no longer has, and TRYAGAIN for commands on several keys of which it
// has only some), MoveKeys MIGRATEs some of the slot's keys, and Finish
// moves the rest and assigns the slot to the target on every node.
type Migration struct {
	t            testing.TB
	c            *Cluster
	slot         int
	from, to     string // host:port
	fromID, toID string
	finished     bool
}

// BeginMigration starts moving slot from its owner to the primary at
// addr. It fails t if the slot is owned by addr already or a step is
// refused; so do the Migration's methods, which must be called from t's
// goroutine.
func (c *Cluster) BeginMigration(t testing.TB, slot int, addr string) *Migration {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	m := &Migration{t: t, c: c, slot: slot, from: c.Owner(t, slot), to: addr}
	if m.from == m.to {
		t.Fatalf("BeginMigration: slot %d is on %s already", slot, addr)
	}
	var err error
	if m.fromID, err = nodeID(ctx, m.from); err == nil {
		m.toID, err = nodeID(ctx, m.to)
	}
	if err == nil {
		err = clusterDo(ctx, m.to, "CLUSTER", "SETSLOT", slot, "IMPORTING", m.fromID).Err()
	}
	if err == nil {
		err = clusterDo(ctx, m.from, "CLUSTER", "SETSLOT", slot, "MIGRATING", m.toID).Err()
	}
	if err != nil {
		t.Fatalf("BeginMigration of slot %d from %s to %s: %v", slot, m.from, m.to, err)
	}
	return m
}

// MoveKeys MIGRATEs up to n keys of the slot from the source to the target,
// one MIGRATE per key, and returns how many it moved: 0 once the source has
// none left.
func (m *Migration) MoveKeys(n int) int {
	m.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	keys, err := clusterDo(ctx, m.from, "CLUSTER", "GETKEYSINSLOT", m.slot, n).StringSlice()
	if err != nil {
		m.t.Fatalf("CLUSTER GETKEYSINSLOT %d on %s: %v", m.slot, m.from, err)
	}
	host, port, _ := net.SplitHostPort(m.to)
	for _, k := range keys {
		// A key that expired or was deleted since GETKEYSINSLOT makes
		// MIGRATE reply NOKEY, which go-redis returns as a status, not an
		// error.
		if err := clusterDo(ctx, m.from, "MIGRATE", host, port, k, 0, 5000).Err(); err != nil {
			m.t.Fatalf("MIGRATE %q from %s to %s: %v", k, m.from, m.to, err)
		}
	}
	return len(keys)
}

// Finish moves the slot's remaining keys and assigns the slot to the
// target, first on the target, then on the source, then on every other
// node, as redis-cli does. It fails the test if a step is refused.
func (m *Migration) Finish() {
	m.t.Helper()
	if m.finished {
		return
	}
	for m.MoveKeys(100) > 0 {
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	order := []string{m.to, m.from}
	for _, s := range m.c.allNodes() {
		// Replicas refuse SETSLOT; they learn from their primaries.
		if a := s.Addr(); a != m.to && a != m.from && isPrimary(ctx, a) {
			order = append(order, a)
		}
	}
	for _, a := range order {
		if err := clusterDo(ctx, a, "CLUSTER", "SETSLOT", m.slot, "NODE", m.toID).Err(); err != nil {
			m.t.Fatalf("CLUSTER SETSLOT %d NODE on %s: %v", m.slot, a, err)
		}
	}
	m.finished = true
}

// AddReplica starts a new node, joins it to the cluster as a replica of the
// primary at addr, and returns once it has synchronised with the primary
// and every node knows it. Its process is killed when t ends; t fails if
// the replica does not come up.
func (c *Cluster) AddReplica(t testing.TB, addr string) *Server {
	t.Helper()
	ports := freePorts(t, 2)
	r := newServer(t, c.bin, ports[0], clusterArgs(ports[1]))
	r.start()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	primaryID, err := nodeID(ctx, addr)
	if err != nil {
		t.Fatalf("AddReplica: %v", err)
	}
	// Every node meets the new one (only its cluster bus port is known
	// here), which is quicker than letting gossip spread it.
	for _, s := range c.allNodes() {
		if err := clusterDo(ctx, s.Addr(), "CLUSTER", "MEET", "127.0.0.1", r.port, ports[1]).Err(); err != nil {
			t.Fatalf("AddReplica: CLUSTER MEET %s from %s: %v", r.Addr(), s.Addr(), err)
		}
	}
	// The new node must learn the primary's ID before it can replicate it.
	for {
		err = clusterDo(ctx, r.Addr(), "CLUSTER", "REPLICATE", primaryID).Err()
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("AddReplica: CLUSTER REPLICATE %s on %s: %v", primaryID, r.Addr(), err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	c.replicas = append(c.replicas, r)
	want := strconv.Itoa(len(c.allNodes()))
	for {
		info, _ := clusterDo(ctx, r.Addr(), "INFO", "replication").Text()
		ok := infoField(info, "master_link_status") == "up"
		for _, s := range c.allNodes() {
			ci, _ := clusterDo(ctx, s.Addr(), "CLUSTER", "INFO").Text()
			ok = ok && infoField(ci, "cluster_known_nodes") == want && infoField(ci, "cluster_state") == "ok"
		}
		if ok {
			return r
		}
		if ctx.Err() != nil {
			t.Fatalf("AddReplica: %s did not become a synchronised replica of %s known to every node:\n%s", r.Addr(), addr, info)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Failover promotes the replica r to primary with CLUSTER FAILOVER (the
// coordinated manual failover: the old primary stops taking writes until r
// has caught up, then r takes its slots and the old primary becomes r's
// replica), and returns once every node sees r as the owner of those
// slots. It fails t if that does not happen within 20 seconds.
func (c *Cluster) Failover(t testing.TB, r *Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := clusterDo(ctx, r.Addr(), "CLUSTER", "FAILOVER").Err(); err != nil {
		t.Fatalf("CLUSTER FAILOVER on %s: %v", r.Addr(), err)
	}
	for {
		info, _ := clusterDo(ctx, r.Addr(), "INFO", "replication").Text()
		if infoField(info, "role") == "master" {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("Failover: %s did not become a primary:\n%s", r.Addr(), info)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// Every node must route the new primary's slots to it.
	var first int64 = -1 // of the slot ranges r owns
	for first < 0 {
		_, ranges, err := slotOwners(ctx, r.Addr())
		for _, sr := range ranges {
			if sr.owner == r.Addr() {
				first = sr.lo
			}
		}
		if first < 0 && ctx.Err() != nil {
			t.Fatalf("Failover: %s owns no slots after CLUSTER FAILOVER: %v", r.Addr(), err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, s := range c.allNodes() {
		for {
			owners, _, err := slotOwners(ctx, s.Addr())
			if owners[first] == r.Addr() {
				break
			}
			if ctx.Err() != nil {
				t.Fatalf("Failover: %s still routes slot %d to %q, not %s (%v)", s.Addr(), first, owners[first], r.Addr(), err)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}
