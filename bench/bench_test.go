package bench

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
)

// parallelSessions is how many sessions the parallel benchmark spreads its
// requests over.
const parallelSessions = 10_000

// fixture is a contender with parallelSessions seeded sessions, opened once
// per process and shared by the benchmarks that only read or update
// sessions (a new-session benchmark opens its own, so stores do not grow
// under the others).
type fixture struct {
	h       http.Handler
	cookies []string
	headers []http.Header // one Cookie header per session, shared read-only
	close   func()
}

var (
	fixturesMu sync.Mutex
	fixtures   = map[string]*fixture{}
)

func getFixture(tb testing.TB, c contender) *fixture {
	tb.Helper()
	if c.redis {
		needRedis(tb)
	}
	fixturesMu.Lock()
	defer fixturesMu.Unlock()
	if f := fixtures[c.name]; f != nil {
		return f
	}
	h, closeFn := c.open(tb)
	f := &fixture{h: h, close: closeFn}
	if c.none {
		f.cookies = make([]string, parallelSessions)
		for i := range f.cookies {
			f.cookies[i] = fmt.Sprintf("session=%d", i)
		}
	} else {
		f.cookies = seed(tb, h, parallelSessions)
	}
	for _, ck := range f.cookies {
		f.headers = append(f.headers, http.Header{"Cookie": {ck}})
	}
	fixtures[c.name] = f
	return f
}

// xorshift is a tiny per-goroutine random source for picking sessions.
type xorshift uint64

func (x *xorshift) next() uint64 {
	*x ^= *x << 13
	*x ^= *x >> 7
	*x ^= *x << 17
	return uint64(*x)
}

var seedCounter atomic.Uint64

func newXorshift() xorshift { return xorshift(seedCounter.Add(0x9e3779b97f4a7c15) | 1) }

type scenario struct {
	name   string
	path   string
	cookie bool // the request carries an existing session's cookie
}

var scenarios = []scenario{
	{"read", pathRead, true},
	{"rw", pathWrite, true},
	{"new", pathNew, false},
}

// serveLoop sends req to h until the benchmark has run long enough. The
// request is restored from a copy before every call, because some libraries
// (gorilla/sessions) replace *r with a copy carrying their registry. Besides
// time per request it reports the CPU time per request (see cpuMeter),
// with the Redis server's when redis is set.
func serveLoop(b *testing.B, h http.Handler, req *http.Request, redis bool) {
	proto := *req
	rec := newRecorder()
	cpu := startCPU(redis)
	for b.Loop() {
		rec.reset()
		*req = proto
		h.ServeHTTP(&rec.ResponseRecorder, req)
	}
	cpu.report(b)
	if rec.Code != http.StatusOK {
		b.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
}

// scenarioHandler returns c's handler for sc and the cookie its requests
// carry: the shared fixture and its session i for a scenario on an existing
// session, else a fresh handler (closed when b ends) and no cookie.
func scenarioHandler(b *testing.B, c contender, sc scenario, i int) (http.Handler, string) {
	if sc.cookie {
		f := getFixture(b, c)
		return f.h, f.cookies[i]
	}
	h, closeFn := c.open(b)
	b.Cleanup(closeFn)
	return h, ""
}

// BenchmarkRequest is one request through a handler that reads one key
// (read), reads and sets one (rw) or sets one on a request without a cookie
// (new), served through httptest with a pre-built request.
func BenchmarkRequest(b *testing.B) {
	for _, sc := range scenarios {
		for _, c := range contenders() {
			b.Run("op="+sc.name+"/lib="+c.name, func(b *testing.B) {
				if c.redis {
					needRedis(b)
				}
				h, cookie := scenarioHandler(b, c, sc, 0)
				switch {
				case sc.name == "read":
					check(b, h, pathRead, cookie, "alice", false)
				case sc.name == "new" && !c.none:
					check(b, h, pathNew, "", "", true)
				}
				// A read-write request on a server-side store adds one to
				// the session's counter: count that every request did.
				counts := sc.name == "rw" && !c.none && !c.inCookie
				var before int
				if counts {
					before = writeOnce(b, h, cookie)
				}
				b.ReportAllocs()
				serveLoop(b, h, newRequest(sc.path, cookie), c.redis)
				if counts {
					if after := writeOnce(b, h, cookie); after != before+b.N+1 {
						b.Fatalf("after %d read-write requests the counter went from %d to %d, want %d: requests' writes were lost", b.N, before, after, before+b.N+1)
					}
				}
			})
		}
	}
}

// writeOnce sends one read-write request and returns the counter it set.
func writeOnce(b *testing.B, h http.Handler, cookie string) int {
	b.Helper()
	rec := newRecorder()
	h.ServeHTTP(&rec.ResponseRecorder, newRequest(pathWrite, cookie))
	n, err := strconv.Atoi(rec.Body.String())
	if rec.Code != http.StatusOK || err != nil {
		b.Fatalf("%s: status %d body %q, want 200 and a number", pathWrite, rec.Code, rec.Body)
	}
	return n
}

// BenchmarkTCP is every request scenario over real loopback TCP, an
// httptest.Server and its keep-alive http.Client, for a subset of
// contenders: read, rw and new one request at a time, and parallel-rw from
// 4×GOMAXPROCS client goroutines (enough to keep the server busy while
// requests cross the loopback), each request on one of the fixture's
// sessions picked at random: BenchmarkParallelRW with the network stack and
// the client sharing the cores.
func BenchmarkTCP(b *testing.B) {
	for _, sc := range scenarios {
		for _, c := range contenders() {
			if !c.tcp {
				continue
			}
			b.Run("op="+sc.name+"/lib="+c.name, func(b *testing.B) {
				h, cookie := scenarioHandler(b, c, sc, 1)
				srv := httptest.NewServer(h)
				defer srv.Close()
				client := srv.Client()
				req, err := http.NewRequest(http.MethodGet, srv.URL+sc.path, nil)
				if err != nil {
					b.Fatal(err)
				}
				if cookie != "" {
					req.Header.Set("Cookie", cookie)
				}
				b.ReportAllocs()
				for b.Loop() {
					if err := roundTrip(client, req); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
	for _, c := range contenders() {
		if !c.tcp {
			continue
		}
		b.Run("op=parallel-rw/lib="+c.name, func(b *testing.B) {
			f := getFixture(b, c)
			srv := httptest.NewServer(f.h)
			defer srv.Close()
			client := srv.Client()
			client.Transport.(*http.Transport).MaxIdleConnsPerHost = 64
			b.ReportAllocs()
			b.SetParallelism(4)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				rng := newXorshift()
				for pb.Next() {
					req, err := http.NewRequest(http.MethodGet, srv.URL+pathWrite, nil)
					if err != nil {
						b.Error(err)
						return
					}
					req.Header = f.headers[rng.next()%uint64(len(f.headers))]
					if err := roundTrip(client, req); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// roundTrip sends req with client and reads the whole response, which must
// be 200 OK.
func roundTrip(client *http.Client, req *http.Request) error {
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil
}

// BenchmarkParallelRW is the rw scenario from GOMAXPROCS goroutines, each
// request on one of 10,000 sessions picked at random. Run it with -cpu 1,2
// to see how throughput scales with cores.
func BenchmarkParallelRW(b *testing.B) {
	for _, c := range contenders() {
		b.Run("lib="+c.name, func(b *testing.B) {
			f := getFixture(b, c)
			b.ReportAllocs()
			b.ResetTimer() // the first call seeds the fixture
			b.RunParallel(func(pb *testing.PB) {
				rng := newXorshift()
				req := newRequest(pathWrite, "")
				proto := *req
				rec := newRecorder()
				for pb.Next() {
					i := rng.next() % uint64(len(f.headers))
					rec.reset()
					*req = proto
					req.Header = f.headers[i]
					f.h.ServeHTTP(&rec.ResponseRecorder, req)
					if rec.Code != http.StatusOK {
						b.Errorf("status %d: %s", rec.Code, rec.Body)
						return
					}
				}
			})
		})
	}
}

// BenchmarkHeapPerSession measures the live heap an idle session with three
// keys costs: heap in use after a GC, before and after creating 100,000
// sessions through each library's real request path, divided by 100,000.
func BenchmarkHeapPerSession(b *testing.B) {
	for _, c := range contenders() {
		if !c.heap {
			continue
		}
		b.Run("lib="+c.name, func(b *testing.B) {
			per := heapPerSession(b, c, 100_000)
			// The measurement above is the result; b.Loop only satisfies the
			// framework, and ns/op is dropped.
			for b.Loop() {
			}
			b.ReportMetric(0, "ns/op")
			b.ReportMetric(per, "B/session")
		})
	}
}

// BenchmarkHeapAtSizes is BenchmarkHeapPerSession at other numbers of
// sessions: a map's memory grows in steps, so the heap per session depends
// on where the number falls between two of them. A diagnostic, not part of
// run.sh:
//
//	go test -run='^$' -bench='^BenchmarkHeapAtSizes$' -count=1
func BenchmarkHeapAtSizes(b *testing.B) {
	for _, n := range []int{90_000, 100_000, 110_000, 120_000, 125_000, 135_000, 160_000} {
		for _, c := range contenders() {
			if !c.heap {
				continue
			}
			b.Run(fmt.Sprintf("sessions=%d/lib=%s", n, c.name), func(b *testing.B) {
				per := heapPerSession(b, c, n)
				for b.Loop() {
				}
				b.ReportMetric(0, "ns/op")
				b.ReportMetric(per, "B/session")
			})
		}
	}
}

// heapPerSession returns the live heap per session of n idle three-key
// sessions created through c's request path.
func heapPerSession(b *testing.B, c contender, n int) float64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&before)
	h, closeFn := c.open(b)
	defer closeFn()
	rec := newRecorder()
	req := newRequest(pathSeed, "")
	proto := *req
	for range n {
		rec.reset()
		*req = proto
		h.ServeHTTP(&rec.ResponseRecorder, req)
	}
	if sessionCookie(rec.Header()) == "" {
		b.Fatal("no session issued")
	}
	rec, req = nil, nil
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(h)
	return float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / float64(n)
}

// TestContenders checks that every contender's handler does what the
// benchmarks measure: a seeded session reads back, a write sticks, a new
// session gets a cookie. It runs in CI, so a library upgrade that breaks
// a setup fails there and not in a benchmark run.
func TestContenders(t *testing.T) {
	for _, c := range contenders() {
		t.Run(c.name, func(t *testing.T) {
			if c.redis {
				needRedis(t)
			}
			h, closeFn := c.open(t)
			defer closeFn()
			if c.none {
				check(t, h, pathRead, "", "alice", false)
				return
			}
			cookie := seed(t, h, 1)[0]
			check(t, h, pathRead, cookie, "alice", false)
			check(t, h, pathWrite, cookie, "1", false, true)
			if !c.inCookie {
				check(t, h, pathWrite, cookie, "2", false, true)
			}
			check(t, h, pathNew, "", "", true)
		})
	}
}
