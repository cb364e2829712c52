package bench

import (
	"context"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// cpuMeter measures the CPU time a benchmark's requests cost, as opposed to
// the wall time ns/op reports: the user and system time of this process
// (every thread: handler, store client, garbage collector) and, for a
// Redis contender, of the Redis server. Where a request waits on a round
// trip, wall time is mostly the wait, which depends on how fast the host
// wakes an idle CPU; CPU time is the work each library does per request.
type cpuMeter struct {
	client        *goredis.Client // nil without Redis
	self, server  time.Duration
	selfOK, srvOK bool
}

// startCPU starts measuring; withServer also measures the Redis server.
func startCPU(withServer bool) *cpuMeter {
	m := &cpuMeter{}
	m.self, m.selfOK = processCPU()
	if withServer && redisUp() == nil {
		m.client = goredis.NewClient(&goredis.Options{Addr: redisAddr(), DB: redisDB})
		m.server, m.srvOK = serverCPU(m.client)
	}
	return m
}

// report adds cpu-ns/op and, with the server measured, redis-cpu-ns/op to
// b's results, per b.N requests.
func (m *cpuMeter) report(b *testing.B) {
	if m.client != nil {
		defer m.client.Close()
	}
	n := float64(b.N)
	if self, ok := processCPU(); ok && m.selfOK && n > 0 {
		b.ReportMetric(float64(self-m.self)/n, "cpu-ns/op")
	}
	if m.client == nil {
		return
	}
	if srv, ok := serverCPU(m.client); ok && m.srvOK && n > 0 {
		b.ReportMetric(float64(srv-m.server)/n, "redis-cpu-ns/op")
	}
}

// processCPU is the user plus system time this process has used.
func processCPU() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}

// serverCPU is the user plus system time the Redis server has used, from
// INFO cpu (seconds with microseconds).
func serverCPU(c *goredis.Client) (time.Duration, bool) {
	info, err := c.Info(context.Background(), "cpu").Result()
	if err != nil {
		return 0, false
	}
	var total time.Duration
	found := 0
	for line := range strings.SplitSeq(info, "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok || (k != "used_cpu_user" && k != "used_cpu_sys") {
			continue
		}
		s, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return 0, false
		}
		total += time.Duration(s * float64(time.Second))
		found++
	}
	return total, found == 2
}
