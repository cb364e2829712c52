package bench

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"runtime"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
)

// BenchmarkScale is the in-memory stores (this library's and the peers':
// every contender with heap set) at 1k, 100k and 1M live sessions. Each
// request reads (read) or updates (rw) a session picked at random from all
// of them, so larger stores pay their cache and TLB misses; the -hot
// variants pick from 1,000 of them only, spread over the whole store, so
// the number of live sessions grows while the sessions in use stay the
// same. The target is a flat cost: 1M within 1.2x of 1k. The lib=none rows
// send the same requests (the same random cookies) to a handler without
// sessions, while this library's store of that size is in memory: the
// harness's own cost at that size, with the same heap, which the
// library's cost is the rest of. Each row reports its CPU time per request
// and the garbage collector's part of it: at 1M no collection falls in a
// row's half second (the next one waits for another heap's worth of
// allocation), at 1k several do.
func BenchmarkScale(b *testing.B) {
	for _, size := range []struct {
		name string
		n    int
	}{{"1k", 1_000}, {"100k", 100_000}, {"1M", 1_000_000}} {
		b.Run("sessions="+size.name, func(b *testing.B) {
			none, _ := openNone(b)
			for _, c := range contenders() {
				if !c.heap {
					continue
				}
				scaleRuns(b, c, size.n, none)
			}
		})
	}
}

// hotSessions is how many sessions the -hot scale rows use.
const hotSessions = 1_000

// scaleRuns seeds n sessions into a fresh instance of c and runs the scale
// scenarios on it (and, for this library, the same on the no-session
// handler), then frees the store before the next contender is seeded.
func scaleRuns(b *testing.B, c contender, n int, none http.Handler) {
	h, closeFn := c.open(b)
	defer func() {
		closeFn()
		runtime.GC()
	}()
	cookies := seed(b, h, n)
	rng := newXorshift()
	all, hotJar := newCookieJar(cookies), newCookieJar(spread(cookies, hotSessions, &rng))
	cookies = nil
	runtime.GC()
	type run struct {
		lib string
		op  scenario
		h   http.Handler
		jar *cookieJar
		hot bool
	}
	var runs []run
	add := func(lib string, h http.Handler) {
		for _, hot := range []bool{false, true} {
			jar := all
			if hot {
				jar = hotJar
			}
			runs = append(runs, run{lib, scenarios[0], h, jar, hot}, run{lib, scenarios[1], h, jar, hot})
		}
	}
	add(c.name, h)
	if c.name == "sessions-memory" {
		add("none", none)
	}
	for _, run := range runs {
		op := run.op.name
		if run.hot {
			op += "-hot"
		}
		b.Run("op="+op+"/lib="+run.lib, func(b *testing.B) {
			req := newRequest(run.op.path, "")
			proto := *req
			hdr := http.Header{"Cookie": {""}}
			rec := newRecorder()
			b.ReportAllocs()
			cpu, gc := startCPU(false), startGC()
			for b.Loop() {
				rec.reset()
				*req = proto
				hdr["Cookie"][0] = run.jar.pick(&rng)
				req.Header = hdr
				run.h.ServeHTTP(&rec.ResponseRecorder, req)
			}
			cpu.report(b)
			gc.report(b)
			if rec.Code != http.StatusOK {
				b.Fatalf("status %d", rec.Code)
			}
		})
	}
}

// spread returns k of cookies (all of them when there are no more), picked
// at random, so that their sessions lie all over the store's memory and not
// in the few pages the first sessions created share.
func spread(cookies []string, k int, rng *xorshift) []string {
	if len(cookies) <= k {
		return cookies
	}
	idx := make([]int, len(cookies))
	for i := range idx {
		idx[i] = i
	}
	out := make([]string, k)
	for i := range out {
		j := i + int(rng.next()%uint64(len(idx)-i))
		idx[i], idx[j] = idx[j], idx[i]
		out[i] = cookies[idx[i]]
	}
	return out
}

// cookieJar holds many Cookie header values in one contiguous buffer, so
// picking one at random costs the harness one string allocation (what
// parsing the header from the wire costs a real server) and, once the
// buffer outgrows the caches, one cache miss: the same for every handler.
type cookieJar struct {
	buf    []byte
	stride int
	n      int
}

func newCookieJar(cookies []string) *cookieJar {
	j := &cookieJar{n: len(cookies)}
	for _, c := range cookies {
		j.stride = max(j.stride, len(c))
	}
	j.buf = make([]byte, j.stride*len(cookies))
	for i, c := range cookies {
		if len(c) != j.stride {
			panic("cookieJar: cookies of different lengths")
		}
		copy(j.buf[i*j.stride:], c)
	}
	return j
}

// pick returns a random cookie as a new string.
func (j *cookieJar) pick(rng *xorshift) string {
	i := int(rng.next() % uint64(j.n))
	return string(j.buf[i*j.stride : (i+1)*j.stride])
}

// BenchmarkCleanupLatency fills a memory store with 1M sessions, half of
// them expired, then runs Store.Cleanup in another goroutine while this one
// times individual Load calls of live sessions. It reports the longest time a
// lookup waited for a shard lock (wait-max-ns, from Store.Stats: what the
// sweep made a lookup wait; the target is at most 1 ms) and how many
// waited, and, by the clock around each whole Load, the slowest lookup
// (max-ns) and the 99th percentile (p99-ns). The clock figures also hold
// the OS or the Go scheduler taking the core from the timing goroutine; the
// control (the same lookups with no sweep) shows how much of that the
// machine does on its own. It is a measurement, not an assertion.
func BenchmarkCleanupLatency(b *testing.B) {
	const n = 1_000_000
	st := memory.New(memory.Options{CleanupInterval: time.Hour})
	defer st.Close()
	ctx := context.Background()
	now := time.Now().UnixNano()
	live := make([]string, 0, n/2)
	for i := range n {
		var raw [32]byte
		rand.Read(raw[:])
		key := sessions.KeyOf(base64.RawURLEncoding.EncodeToString(raw[:]))
		rec := &sessions.Record{Meta: sessions.Meta{Created: now, Renewed: now, LastSeen: now, Expires: now + int64(time.Hour)}}
		if i%2 == 1 {
			rec.Expires = now - int64(time.Second)
		} else {
			live = append(live, key)
		}
		rec.SetField("n", i)
		rec.SetField("role", "admin")
		rec.SetField("user", "alice")
		if err := st.Create(ctx, key, rec); err != nil {
			b.Fatal(err)
		}
	}
	runtime.GC()

	var removed int
	var lat, control []time.Duration
	swept := false
	for b.Loop() {
		// The first iteration is the measurement; the rest only satisfy
		// the framework (ns/op is dropped).
		if swept {
			continue
		}
		swept = true
		lat = make([]time.Duration, 0, 1<<20)
		control = make([]time.Duration, 0, 1<<20)
		// Start from a finished GC cycle, so a collection the benchmarks
		// before left pending does not land in the sweep.
		runtime.GC()
		var done atomic.Bool
		finished := make(chan struct{})
		start := time.Now()
		go func() {
			defer close(finished)
			removed = st.Cleanup()
			done.Store(true)
		}()
		lat = timeLoads(b, lat, st, live, done.Load)
		<-finished
		// The control: the same lookups for as long again with no sweep
		// running. A long wait here too is the machine (the OS or the Go
		// scheduler giving the core to something else), not the store.
		sweep := time.Since(start)
		control = timeLoads(b, control, st, live, func() bool { return time.Since(start) >= 2*sweep })
	}
	if removed != n/2 {
		b.Fatalf("Cleanup removed %d, want %d", removed, n/2)
	}
	p99 := func(d []time.Duration) time.Duration { return d[len(d)*99/100] }
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(float64(lat[len(lat)-1]), "max-ns")
	b.ReportMetric(float64(p99(lat)), "p99-ns")
	b.ReportMetric(float64(len(lat)), "lookups")
	b.ReportMetric(float64(control[len(control)-1]), "control-max-ns")
	b.ReportMetric(float64(p99(control)), "control-p99-ns")
	stats := st.Stats()
	b.ReportMetric(float64(stats.LongestReadWait), "wait-max-ns")
	b.ReportMetric(float64(stats.ReadWaits), "waits")
	b.Logf("1M sessions, %d expired removed; %d lookups during the sweep: p50 %v p99 %v max %v; control without a sweep: p99 %v max %v; store: %d lookups waited for a lock, longest %v",
		removed, len(lat), lat[len(lat)/2], p99(lat), lat[len(lat)-1], p99(control), control[len(control)-1], stats.ReadWaits, stats.LongestReadWait)
}

// timeLoads times Load calls of random live keys until stop reports true,
// and returns the durations appended to lat, sorted.
func timeLoads(b *testing.B, lat []time.Duration, st *memory.Store, live []string, stop func() bool) []time.Duration {
	ctx := context.Background()
	rng := newXorshift()
	for !stop() {
		k := live[rng.next()%uint64(len(live))]
		t0 := time.Now()
		_, found, err := st.Load(ctx, k)
		d := time.Since(t0)
		if err != nil || !found {
			b.Fatalf("live session lost: %v %v", found, err)
		}
		lat = append(lat, d)
	}
	slices.Sort(lat)
	return lat
}
