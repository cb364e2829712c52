package redistest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// SentinelMaster is the name under which a [Sentinel]'s sentinels monitor
// its primary: FailoverOptions.MasterName.
const SentinelMaster = "m"

// Sentinel timings: a primary that does not answer for SentinelDownAfter is
// subjectively down, and a failover that has not finished within
// SentinelFailoverTimeout is abandoned (a sentinel then waits twice that
// before it tries the same primary again). A sentinel asks each data node
// for INFO every SentinelInfoPeriod and publishes its hello message every
// SentinelPublishPeriod; it makes a restarted old primary a replica once
// it has seen it claim the primary role for four publish periods (Redis's
// defaults, 10s and 2s, make that take about ten seconds; servers older
// than 7.0, which have no SENTINEL DEBUG to change them, keep them).
const (
	SentinelDownAfter       = 500 * time.Millisecond
	SentinelFailoverTimeout = 3 * time.Second
	SentinelInfoPeriod      = 500 * time.Millisecond
	SentinelPublishPeriod   = 250 * time.Millisecond
)

// Sentinel is a primary, its replicas and three Redis Sentinels that
// monitor it under the name [SentinelMaster] with a quorum of two, all
// owned by one test and killed when it ends. Which data node is the primary
// changes with every failover; [Sentinel.Primary] says which it is now.
type Sentinel struct {
	data      []*Server // the first primary, then the replicas
	sentinels []*Server
}

// StartSentinel starts a primary with the given number of replicas (at
// least one, or a failover has nowhere to go) and three sentinels, and
// returns once every sentinel knows the other two and every replica, and
// every replica has synchronised with the primary. Data nodes keep nothing
// on disk unless extraArgs, appended to each data node's command line as
// for [StartServer], say so: with "--appendonly", "yes" a data node that
// was killed comes back from [Server.Restart] with what it had written. A
// missing binary skips t; a deployment that does not come together fails
// it.
func StartSentinel(t testing.TB, replicas int, extraArgs ...string) *Sentinel {
	t.Helper()
	if replicas < 1 {
		t.Fatalf("redistest.StartSentinel: %d replicas, want at least 1", replicas)
	}
	bin := Binary(t)
	ports := freePorts(t, 1+replicas+3)
	d := &Sentinel{}
	// A replica's first sync starts at once, not after 5s.
	primary := newServer(t, bin, ports[0], append([]string{"--repl-diskless-sync-delay", "0"}, extraArgs...))
	primary.start()
	d.data = append(d.data, primary)
	for i := range replicas {
		args := []string{"--repl-diskless-sync-delay", "0", "--replicaof", "127.0.0.1", strconv.Itoa(ports[0])}
		r := newServer(t, bin, ports[1+i], append(args, extraArgs...))
		r.start()
		d.data = append(d.data, r)
	}
	for _, port := range ports[1+replicas:] {
		s := newServer(t, bin, port, nil)
		// A sentinel rewrites its config file, so each gets its own.
		s.conf = filepath.Join(s.dir, "sentinel.conf")
		conf := fmt.Sprintf("sentinel monitor %[1]s 127.0.0.1 %[2]d 2\n"+
			"sentinel down-after-milliseconds %[1]s %[3]d\n"+
			"sentinel failover-timeout %[1]s %[4]d\n",
			SentinelMaster, ports[0], SentinelDownAfter.Milliseconds(), SentinelFailoverTimeout.Milliseconds())
		if err := os.WriteFile(s.conf, []byte(conf), 0o600); err != nil {
			t.Fatal(err)
		}
		s.start()
		d.sentinels = append(d.sentinels, s)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for _, s := range d.sentinels {
		// Best effort: SENTINEL DEBUG is new in Redis 7.0.
		clusterDo(ctx, s.Addr(), "SENTINEL", "DEBUG",
			"INFO-PERIOD", SentinelInfoPeriod.Milliseconds(), "PUBLISH-PERIOD", SentinelPublishPeriod.Milliseconds())
	}
	for _, r := range d.data[1:] {
		for {
			info, err := clusterDo(ctx, r.Addr(), "INFO", "replication").Text()
			if err == nil && infoField(info, "master_link_status") == "up" {
				break
			}
			if ctx.Err() != nil {
				t.Fatalf("StartSentinel: replica %s did not sync with %s: %v\n%s", r.Addr(), primary.Addr(), err, info)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	for _, s := range d.sentinels {
		for {
			m, err := sentinelMaster(ctx, s.Addr())
			if err == nil && m["num-other-sentinels"] == "2" && m["num-slaves"] == strconv.Itoa(replicas) && m["flags"] == "master" {
				break
			}
			if ctx.Err() != nil {
				t.Fatalf("StartSentinel: sentinel %s does not see 2 other sentinels and %d replicas of a healthy primary: %v %v", s.Addr(), replicas, err, m)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return d
}

// sentinelMaster returns SENTINEL MASTER's name/value pairs from the
// sentinel at addr.
func sentinelMaster(ctx context.Context, addr string) (map[string]string, error) {
	v, err := clusterDo(ctx, addr, "SENTINEL", "MASTER", SentinelMaster).Result()
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	switch v := v.(type) {
	case map[any]any: // RESP3
		for k, x := range v {
			m[fmt.Sprint(k)] = fmt.Sprint(x)
		}
	case []any: // RESP2: name, value, name, value, ...
		for i := 0; i+1 < len(v); i += 2 {
			m[fmt.Sprint(v[i])] = fmt.Sprint(v[i+1])
		}
	default:
		return nil, fmt.Errorf("unexpected SENTINEL MASTER reply %#v", v)
	}
	return m, nil
}

// SentinelAddrs returns the host:port of the three sentinels:
// FailoverOptions.SentinelAddrs.
func (d *Sentinel) SentinelAddrs() []string {
	addrs := make([]string, len(d.sentinels))
	for i, s := range d.sentinels {
		addrs[i] = s.Addr()
	}
	return addrs
}

// Primary returns the data node the first sentinel names as the primary.
// It fails t if that sentinel cannot say.
func (d *Sentinel) Primary(t testing.TB) *Server {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	addr, err := d.primaryAddr(ctx, d.sentinels[0].Addr())
	if err != nil {
		t.Fatalf("SENTINEL GET-MASTER-ADDR-BY-NAME on %s: %v", d.sentinels[0].Addr(), err)
	}
	for _, s := range d.data {
		if s.Addr() == addr {
			return s
		}
	}
	t.Fatalf("sentinel %s names %s as the primary, which is no data node of this deployment", d.sentinels[0].Addr(), addr)
	return nil
}

func (d *Sentinel) primaryAddr(ctx context.Context, sentinel string) (string, error) {
	a, err := clusterDo(ctx, sentinel, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", SentinelMaster).StringSlice()
	if err != nil {
		return "", err
	}
	if len(a) != 2 {
		return "", fmt.Errorf("unexpected reply %q", a)
	}
	return a[0] + ":" + a[1], nil
}

// Failover makes the first sentinel fail the primary over to a replica
// (SENTINEL FAILOVER, which needs no agreement from the others) and returns
// what [Sentinel.WaitFailover] returns. It fails t if the sentinel refuses.
func (d *Sentinel) Failover(t testing.TB) *Server {
	t.Helper()
	old := d.Primary(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := clusterDo(ctx, d.sentinels[0].Addr(), "SENTINEL", "FAILOVER", SentinelMaster).Err(); err != nil {
		t.Fatalf("SENTINEL FAILOVER %s on %s: %v", SentinelMaster, d.sentinels[0].Addr(), err)
	}
	return d.WaitFailover(t, old)
}

// WaitFailover waits until every sentinel names a primary other than old
// and that node reports the master role, and returns it: from then on a
// client that asks a sentinel for the primary reaches the new one. Kill the
// primary and call WaitFailover to see Sentinel notice and fail it over
// (about down-after-milliseconds plus a second or two). It fails t if that
// takes longer than twice [SentinelFailoverTimeout] plus five seconds.
func (d *Sentinel) WaitFailover(t testing.TB, old *Server) *Server {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*SentinelFailoverTimeout+5*time.Second)
	defer cancel()
	var addr string
	for _, s := range d.sentinels {
		for {
			a, err := d.primaryAddr(ctx, s.Addr())
			if err == nil && a != old.Addr() && (addr == "" || a == addr) {
				addr = a
				break
			}
			if ctx.Err() != nil {
				t.Fatalf("WaitFailover: sentinel %s still names %q as the primary (old %s, others %q): %v", s.Addr(), a, old.Addr(), addr, err)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	for {
		role, err := clusterDo(ctx, addr, "ROLE").Slice()
		if err == nil && len(role) > 0 && role[0] == "master" {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("WaitFailover: new primary %s does not report the master role: %v %v", addr, role, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, s := range d.data {
		if s.Addr() == addr {
			return s
		}
	}
	t.Fatalf("WaitFailover: the sentinels name %s, which is no data node of this deployment", addr)
	return nil
}

// Replicas returns the data nodes other than the one [Sentinel.Primary]
// names, running or not.
func (d *Sentinel) Replicas(t testing.TB) []*Server {
	t.Helper()
	primary := d.Primary(t)
	var rs []*Server
	for _, s := range d.data {
		if s != primary {
			rs = append(rs, s)
		}
	}
	return rs
}

// WaitReplicated waits until every replica in rs reports the replica role,
// a replication link to primary that is up, and a replication offset at
// least the one primary reports when WaitReplicated is called: from then
// on each replica holds every write primary acknowledged before the call.
// A node that has just been restarted counts once Sentinel has made it a
// replica of primary and it has synchronised (see [SentinelPublishPeriod]).
// It fails t if that takes longer than 20 seconds.
func (d *Sentinel) WaitReplicated(t testing.TB, primary *Server, rs ...*Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	info, err := clusterDo(ctx, primary.Addr(), "INFO", "replication").Text()
	if err != nil || infoField(info, "role") != "master" {
		t.Fatalf("WaitReplicated: %s is not a primary: %v\n%s", primary.Addr(), err, info)
	}
	want, err := strconv.ParseInt(infoField(info, "master_repl_offset"), 10, 64)
	if err != nil {
		t.Fatalf("WaitReplicated: master_repl_offset of %s: %v", primary.Addr(), err)
	}
	_, port, _ := strings.Cut(primary.Addr(), ":")
	for _, r := range rs {
		for {
			info, err := clusterDo(ctx, r.Addr(), "INFO", "replication").Text()
			off, _ := strconv.ParseInt(infoField(info, "slave_repl_offset"), 10, 64)
			if err == nil && infoField(info, "role") == "slave" && infoField(info, "master_port") == port &&
				infoField(info, "master_link_status") == "up" && off >= want {
				break
			}
			if ctx.Err() != nil {
				t.Fatalf("WaitReplicated: %s has not replicated %s up to offset %d: %v\n%s", r.Addr(), primary.Addr(), want, err, info)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}
