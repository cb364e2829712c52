package bench

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
)

// BenchmarkRedisCommands counts what one request costs in Redis for each
// contender on Redis: commands and round trips as the client sent them
// (cmds/op, rtt/op), and commands the server executed according to INFO
// commandstats after CONFIG RESETSTAT (srv-cmds/op; it includes commands a
// Lua script runs). The renew row gives the session a new ID. Sessions used
// up by renew are replaced with counting paused. Run it against a Redis no
// one else uses (run.sh starts one) or the server counts include their
// traffic.
func BenchmarkRedisCommands(b *testing.B) {
	for _, c := range contenders() {
		if !c.redis {
			continue
		}
		for _, op := range []string{"read", "rw", "new", "renew"} {
			if op == "renew" && !c.renew {
				continue
			}
			b.Run("lib="+c.name+"/op="+op, func(b *testing.B) { redisCommands(b, c, op) })
		}
	}
}

func redisCommands(b *testing.B, c contender, op string) {
	needRedis(b)
	cnt := &counts{}
	h, closeFn := c.counted(b, cnt)
	defer closeFn()
	stats := newServerStats()
	defer stats.close()

	path := map[string]string{"read": pathRead, "rw": pathWrite, "new": pathNew, "renew": pathRenew}[op]
	n := 100
	if op == "renew" {
		n = 1000
	}
	cookies := seed(b, h, n)
	rec := newRecorder()
	req := newRequest(path, "")
	proto := *req
	serve := func(cookie string) {
		rec.reset()
		*req = proto
		if cookie != "" {
			req.Header = http.Header{"Cookie": {cookie}}
		}
		h.ServeHTTP(&rec.ResponseRecorder, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
	cookieFor := func(i int) string {
		if op == "new" {
			return ""
		}
		return cookies[i%len(cookies)]
	}
	// Warm up: connections dialled, scripts loaded.
	serve(cookieFor(0))
	if op == "renew" {
		cookies = cookies[1:]
	}

	var excluded int64
	stats.reset(b)
	cnt.on.Store(true)
	i := 0
	for b.Loop() {
		if op == "renew" && i == len(cookies) {
			b.StopTimer()
			cnt.on.Store(false)
			s0 := stats.calls(b)
			cookies = seed(b, h, n)
			excluded += stats.calls(b) - s0
			cnt.on.Store(true)
			i = 0
			b.StartTimer()
		}
		serve(cookieFor(i))
		i++
	}
	cnt.on.Store(false)
	server := stats.calls(b) - excluded
	after := snapshot(b, stats)
	ops := float64(b.N)
	b.ReportMetric(float64(cnt.cmds.Load())/ops, "cmds/op")
	b.ReportMetric(float64(cnt.rts.Load())/ops, "rtt/op")
	b.ReportMetric(float64(server)/ops, "srv-cmds/op")
	if op != "renew" {
		b.Logf("server commands per request: %s", after.perOp(ops))
	}
}

// cmdSnapshot is INFO commandstats as name → calls.
type cmdSnapshot map[string]int64

func snapshot(tb testing.TB, s *serverStats) cmdSnapshot {
	info, err := s.c.Info(context.Background(), "commandstats").Result()
	if err != nil {
		tb.Fatal(err)
	}
	out := cmdSnapshot{}
	for _, line := range strings.Split(info, "\n") {
		name, rest, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok || !strings.HasPrefix(name, "cmdstat_") {
			continue
		}
		name = strings.TrimPrefix(name, "cmdstat_")
		if name == "info" || strings.HasPrefix(name, "config") {
			continue
		}
		var calls int64
		fmt.Sscanf(rest, "calls=%d", &calls)
		out[name] = calls
	}
	return out
}

func (s cmdSnapshot) perOp(ops float64) string {
	names := make([]string, 0, len(s))
	for k := range s {
		names = append(names, k)
	}
	sort.Strings(names)
	var parts []string
	for _, k := range names {
		parts = append(parts, fmt.Sprintf("%s=%.2f", k, float64(s[k])/ops))
	}
	return strings.Join(parts, " ")
}
