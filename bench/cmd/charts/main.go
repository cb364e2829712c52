// Command charts turns the raw output of the benchmarks in this module into
// the tables and PNG charts of bench/README.md: medians of every run in the
// input, one markdown report on stdout, and charts in the output directory.
//
//	go run ./cmd/charts -out results results/raw.txt > results/report.md
package main

import (
	"flag"
	"fmt"
	"image/color"
	"io"
	"log"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"golang.org/x/perf/benchfmt"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

func main() {
	out := flag.String("out", "results", "directory for the PNG charts")
	flag.Parse()
	if flag.NArg() == 0 {
		log.Fatal("usage: charts [-out dir] raw-benchmark-output...")
	}
	d := newData()
	for _, name := range flag.Args() {
		if err := d.read(name); err != nil {
			log.Fatal(err)
		}
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	r := &report{d: d, w: os.Stdout, dir: *out}
	r.all()
	if r.err != nil {
		log.Fatal(r.err)
	}
}

// ---- data ----

// bench is one benchmark's samples: unit → values, one per run.
type bench map[string][]float64

type data struct {
	byName map[string]bench // "Request/op=read/lib=none-2" (procs suffix kept)
	libs   []string         // lib= values in order of first appearance
	runs   int
}

func newData() *data { return &data{byName: map[string]bench{}} }

func (d *data) read(file string) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	rd := benchfmt.NewReader(f, file)
	for rd.Scan() {
		res, ok := rd.Result().(*benchfmt.Result)
		if !ok {
			continue
		}
		name := string(res.Name)
		b := d.byName[name]
		if b == nil {
			b = bench{}
			d.byName[name] = b
		}
		for _, v := range res.Values {
			// benchfmt turns ns/op into sec/op; keep the units as printed.
			unit, val := v.Unit, v.Value
			if v.OrigUnit != "" {
				unit, val = v.OrigUnit, v.OrigValue
			}
			b[unit] = append(b[unit], val)
		}
		if lib := part(name, "lib"); lib != "" && !slices.Contains(d.libs, lib) {
			d.libs = append(d.libs, lib)
		}
		d.runs = max(d.runs, len(b["ns/op"]), len(b["B/session"]), len(b["max-ns"]))
	}
	return rd.Err()
}

// part returns the value of key=value in a benchmark name, without the
// -procs suffix.
func part(name, key string) string {
	for _, p := range strings.Split(name, "/") {
		if v, ok := strings.CutPrefix(p, key+"="); ok {
			if i := strings.LastIndexByte(v, '-'); i >= 0 && isDigits(v[i+1:]) {
				v = v[:i]
			}
			return v
		}
	}
	return ""
}

func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// median returns the median of unit in the benchmark whose name, without
// its -procs suffix, is name and whose procs is procs ("" for any), or NaN.
func (d *data) median(name, procs, unit string) float64 {
	return d.reduce(name, procs, unit, med)
}

// highest is the largest of a benchmark's figures over all runs.
func (d *data) highest(name, procs, unit string) float64 {
	return d.reduce(name, procs, unit, slices.Max[[]float64])
}

func (d *data) reduce(name, procs, unit string, f func([]float64) float64) float64 {
	for full, b := range d.byName {
		base, p := full, ""
		if i := strings.LastIndexByte(full, '-'); i >= 0 && isDigits(full[i+1:]) {
			base, p = full[:i], full[i+1:]
		}
		if base != name || (procs != "" && p != procs && !(procs == "1" && p == "")) {
			continue
		}
		if vs := b[unit]; len(vs) > 0 {
			return f(vs)
		}
	}
	return math.NaN()
}

func med(vs []float64) float64 {
	s := slices.Clone(vs)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// ---- formatting ----

func fmtNs(ns float64) string {
	switch {
	case math.IsNaN(ns):
		return "–"
	case ns >= 1e6:
		return fmt.Sprintf("%.2f ms", ns/1e6)
	case ns >= 1e3:
		return fmt.Sprintf("%.2f µs", ns/1e3)
	}
	return fmt.Sprintf("%.0f ns", ns)
}

// fmtRatio formats a ratio of two figures as "1.23×", or "–" when either
// figure was not measured.
func fmtRatio(v float64, prec int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "–"
	}
	return fmt.Sprintf("%.*f×", prec, v)
}

func fmtNum(v float64, prec int) string {
	if math.IsNaN(v) {
		return "–"
	}
	return fmt.Sprintf("%.*f", prec, v)
}

// ---- report ----

type report struct {
	d   *data
	w   io.Writer
	dir string
	err error
}

func (r *report) printf(format string, args ...any) { fmt.Fprintf(r.w, format, args...) }

var scenarios = []struct{ op, title string }{
	{"read", "read-only"},
	{"rw", "read-write"},
	{"new", "new session"},
}

func (r *report) all() {
	r.printf("Medians of %d runs; ns/op is time per request.\n\n", r.d.runs)
	r.requests()
	r.cpu()
	r.parallel()
	r.redis()
	r.scale()
	r.heap()
	r.cleanup()
	r.serveFile()
	r.targets()
}

func (r *report) requests() {
	d := r.d
	r.printf("### Time per request (httptest, pre-built request)\n\n")
	r.printf("| contender | read-only | read-write | new session | allocs read / rw / new | B/op read |\n")
	r.printf("|---|---:|---:|---:|---:|---:|\n")
	var libs []string
	vals := make([][]float64, len(scenarios))
	for _, lib := range d.libs {
		if math.IsNaN(d.median("Request/op=read/lib="+lib, "", "ns/op")) {
			continue
		}
		libs = append(libs, lib)
		var allocs []string
		for i, sc := range scenarios {
			vals[i] = append(vals[i], d.median("Request/op="+sc.op+"/lib="+lib, "", "ns/op"))
			allocs = append(allocs, fmtNum(d.median("Request/op="+sc.op+"/lib="+lib, "", "allocs/op"), 0))
		}
		n := len(libs) - 1
		r.printf("| %s | %s | %s | %s | %s | %s |\n", lib,
			fmtNs(vals[0][n]), fmtNs(vals[1][n]), fmtNs(vals[2][n]),
			strings.Join(allocs, " / "),
			fmtNum(d.median("Request/op=read/lib="+lib, "", "B/op"), 0))
	}
	r.printf("\n![time per request](results/requests.png)\n\n")
	r.chart("requests.png", "Time per request, httptest (median, log scale)", libs,
		[]string{"read-only", "read-write", "new session"}, vals)

	tops := []string{"read", "rw", "new", "parallel-rw"}
	var tlibs []string
	tvals := make([][]float64, len(tops))
	for _, lib := range d.libs {
		if math.IsNaN(d.median("TCP/op=read/lib="+lib, "", "ns/op")) {
			continue
		}
		tlibs = append(tlibs, lib)
		for i, op := range tops {
			tvals[i] = append(tvals[i], d.median("TCP/op="+op+"/lib="+lib, "", "ns/op"))
		}
	}
	if len(tlibs) == 0 {
		return
	}
	r.printf("### Over loopback TCP (httptest.Server, keep-alive http.Client)\n\n")
	r.printf("Parallel read-write: 4×GOMAXPROCS client goroutines, each request on one of 10,000 sessions; ns/op is wall time divided by requests (throughput).\n\n")
	r.printf("| contender | read-only | read-write | new session | parallel read-write |\n|---|---:|---:|---:|---:|\n")
	for n, lib := range tlibs {
		r.printf("| %s | %s | %s | %s | %s |\n", lib,
			fmtNs(tvals[0][n]), fmtNs(tvals[1][n]), fmtNs(tvals[2][n]), fmtNs(tvals[3][n]))
	}
	r.printf("\n![loopback TCP](results/tcp.png)\n\n")
	r.chart("tcp.png", "Time per request over loopback TCP with http.Client (median, log scale)", tlibs,
		[]string{"read-only", "read-write", "new session", "parallel read-write"}, tvals)
}

// cpu is the table of CPU time per request from the same runs as the time
// table: this process's (handler, store client, garbage collector) and, on
// Redis, the server's.
func (r *report) cpu() {
	d := r.d
	var rows []string
	for _, lib := range d.libs {
		if math.IsNaN(d.median("Request/op=read/lib="+lib, "", "cpu-ns/op")) {
			continue
		}
		row := "| " + lib
		for _, unit := range []string{"cpu-ns/op", "redis-cpu-ns/op"} {
			for _, sc := range scenarios {
				row += " | " + fmtNs(d.median("Request/op="+sc.op+"/lib="+lib, "", unit))
			}
		}
		rows = append(rows, row+" |\n")
	}
	if len(rows) == 0 {
		return
	}
	r.printf("### CPU time per request (same runs)\n\n")
	r.printf("User plus system time over the run divided by the requests: of the benchmark process (handler, store client, garbage collector, on both cores) and, for the Redis contenders, of the Redis server (`INFO cpu`). Wall time above includes waiting on a round trip; this is the work.\n\n")
	r.printf("| contender | read-only | read-write | new session | Redis server: read-only | read-write | new session |\n")
	r.printf("|---|---:|---:|---:|---:|---:|---:|\n")
	for _, row := range rows {
		r.printf("%s", row)
	}
	r.printf("\n")
}

func (r *report) parallel() {
	d := r.d
	r.printf("### Parallel read-write over 10,000 sessions (`-cpu 1,2`)\n\n")
	r.printf("| contender | 1 core | 2 cores | speedup |\n|---|---:|---:|---:|\n")
	var libs []string
	vals := make([][]float64, 2)
	for _, lib := range d.libs {
		one := d.median("ParallelRW/lib="+lib, "1", "ns/op")
		two := d.median("ParallelRW/lib="+lib, "2", "ns/op")
		if math.IsNaN(one) || math.IsNaN(two) {
			continue
		}
		libs = append(libs, lib)
		vals[0] = append(vals[0], one)
		vals[1] = append(vals[1], two)
		r.printf("| %s | %s | %s | %.2f× |\n", lib, fmtNs(one), fmtNs(two), one/two)
	}
	r.printf("\n")
	if len(libs) > 0 {
		r.chart("parallel.png", "Parallel read-write, time per request (median, log scale)", libs,
			[]string{"1 core", "2 cores"}, vals)
		r.printf("![parallel](results/parallel.png)\n\n")
	}
}

func (r *report) redis() {
	d := r.d
	r.printf("### Redis work per request\n\n")
	r.printf("cmds and round trips as the client sent them; server commands from `INFO commandstats` after `CONFIG RESETSTAT` (they include what a Lua script runs).\n\n")
	r.printf("| contender | op | commands | round trips | server commands | time |\n|---|---|---:|---:|---:|---:|\n")
	for _, lib := range d.libs {
		for _, op := range []string{"read", "rw", "new", "renew"} {
			name := "RedisCommands/lib=" + lib + "/op=" + op
			c := d.median(name, "", "cmds/op")
			if math.IsNaN(c) {
				continue
			}
			r.printf("| %s | %s | %s | %s | %s | %s |\n", lib, op, fmtNum(c, 2),
				fmtNum(d.median(name, "", "rtt/op"), 2), fmtNum(d.median(name, "", "srv-cmds/op"), 2),
				fmtNs(d.median(name, "", "ns/op")))
		}
	}
	r.printf("\n")
}

var sizes = []string{"1k", "100k", "1M"}

// scaleLibs are the contenders BenchmarkScale measures, none first.
var scaleLibs = []string{"none", "sessions-memory", "scs-memstore", "iris-memory"}

func (r *report) scale() {
	d := r.d
	r.printf("### In-memory stores at scale\n\n")
	r.printf("Each request on a session picked at random from all the live sessions (all), or from 1,000 of them spread over the store (1,000 in use). `none` is the handler without sessions, run while this library's store of that size is in memory.\n\n")
	r.printf("| contender | requests on | read 1k | read 100k | read 1M | 1M ÷ 1k | read-write 1k | read-write 100k | read-write 1M | 1M ÷ 1k |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	var series []string
	var vals [][]float64
	for _, lib := range scaleLibs {
		for _, hot := range []string{"", "-hot"} {
			if math.IsNaN(d.median("Scale/sessions=1k/op=read"+hot+"/lib="+lib, "", "ns/op")) {
				continue
			}
			on := "all"
			if hot != "" {
				on = "1,000 in use"
			}
			row := "| " + lib + " | " + on + " |"
			for _, op := range []string{"read", "rw"} {
				var v []float64
				for _, n := range sizes {
					x := d.median("Scale/sessions="+n+"/op="+op+hot+"/lib="+lib, "", "ns/op")
					v = append(v, x)
					row += " " + fmtNs(x) + " |"
				}
				row += " " + fmtRatio(v[2]/v[0], 2) + " |"
				if op == "read" {
					series = append(series, lib+" ("+on+")")
					vals = append(vals, v)
				}
			}
			r.printf("%s\n", row)
		}
	}
	r.printf("\n")
	r.scaleGC()
	r.printf("![scale](results/scale.png)\n\n")
	r.chart("scale.png", "Read-only request at 1k, 100k and 1M live sessions (median, log scale)", sizes, series, vals)
}

// scaleGC prints the garbage collector's CPU time per request in the scale
// rows on all sessions (gc-cpu-ns/op), which tells the collector's part of
// a row's growth from the memory latency of the requests themselves.
func (r *report) scaleGC() {
	d := r.d
	if math.IsNaN(d.median("Scale/sessions=1k/op=read/lib=sessions-memory", "", "gc-cpu-ns/op")) {
		return
	}
	r.printf("The garbage collector's CPU time per request in the same rows (requests on all sessions; `runtime/metrics`, every core), beside the process's CPU time per request:\n\n")
	r.printf("| contender | op | GC 1k | GC 100k | GC 1M | CPU 1k | CPU 100k | CPU 1M |\n|---|---|---:|---:|---:|---:|---:|---:|\n")
	for _, lib := range scaleLibs {
		for _, op := range []string{"read", "rw"} {
			if math.IsNaN(d.median("Scale/sessions=1k/op="+op+"/lib="+lib, "", "gc-cpu-ns/op")) {
				continue
			}
			row := "| " + lib + " | " + op + " |"
			for _, unit := range []string{"gc-cpu-ns/op", "cpu-ns/op"} {
				for _, n := range sizes {
					row += " " + fmtNs(d.median("Scale/sessions="+n+"/op="+op+"/lib="+lib, "", unit)) + " |"
				}
			}
			r.printf("%s\n", row)
		}
	}
	r.printf("\n")
}

func (r *report) heap() {
	d := r.d
	r.printf("### Heap per idle session with three keys\n\n| contender | bytes |\n|---|---:|\n")
	var libs []string
	var vals []float64
	for _, lib := range d.libs {
		v := d.median("HeapPerSession/lib="+lib, "", "B/session")
		if math.IsNaN(v) {
			continue
		}
		libs = append(libs, lib)
		vals = append(vals, v)
		r.printf("| %s | %.0f |\n", lib, v)
	}
	r.printf("\n")
	if len(libs) > 0 {
		r.barChart("heap.png", "Heap per idle 3-key session (bytes, median)", libs, vals)
		r.printf("![heap](results/heap.png)\n\n")
	}
}

func (r *report) cleanup() {
	d := r.d
	r.printf("### Lookups during a cleanup of 1M sessions, half expired\n\n")
	r.printf("The store's wait is what a lookup spent waiting for a shard lock held by the sweep (or a commit), ")
	r.printf("from `memory.Store.Stats`, the longest over every run. The clock columns time each whole Load ")
	r.printf("(median over runs), so they also hold whatever the OS and the Go scheduler did to the timing goroutine; ")
	r.printf("the control times the same lookups with no sweep running.\n\n")
	r.printf("| longest store wait (all runs) | per run: median, runs over 1 ms | lookups that waited | max lookup, clock | p99 lookup, clock | control max, clock | lookups timed during the sweep |\n|---:|---:|---:|---:|---:|---:|---:|\n")
	r.printf("| %s | %s, %s | %s | %s | %s | %s | %s |\n\n",
		fmtNs(d.highest("CleanupLatency", "", "wait-max-ns")),
		fmtNs(d.median("CleanupLatency", "", "wait-max-ns")), r.over("CleanupLatency", "wait-max-ns", 1e6),
		fmtNum(d.median("CleanupLatency", "", "waits"), 0),
		fmtNs(d.median("CleanupLatency", "", "max-ns")),
		fmtNs(d.median("CleanupLatency", "", "p99-ns")),
		fmtNs(d.median("CleanupLatency", "", "control-max-ns")),
		fmtNum(d.median("CleanupLatency", "", "lookups"), 0))
}

// over reports in how many runs a benchmark's unit exceeded limit: "k of n".
func (r *report) over(name, unit string, limit float64) string {
	k, n := 0, 0
	r.d.reduce(name, "", unit, func(vs []float64) float64 {
		for _, v := range vs {
			n++
			if v > limit {
				k++
			}
		}
		return 0
	})
	return fmt.Sprintf("%d of %d", k, n)
}

// serveFile is BenchmarkServeFile: a 1 MiB file under each middleware
// that wraps the response writer.
func (r *report) serveFile() {
	d := r.d
	var rows []string
	for _, lib := range []string{"none", "sessions-memory", "scs-memstore"} {
		ns := d.median("ServeFile/lib="+lib, "", "ns/op")
		if math.IsNaN(ns) {
			continue
		}
		rows = append(rows, fmt.Sprintf("| %s | %s | %s |\n", lib, fmtNs(ns), fmtNum(d.median("ServeFile/lib="+lib, "", "B/op"), 0)))
	}
	if len(rows) == 0 {
		return
	}
	r.printf("### A 1 MiB file under the middleware (http.ServeFile, loopback TCP)\n\n")
	r.printf("B/op shows whether the file still goes out through net/http's sendfile path or through a 32 KiB copy buffer per response.\n\n")
	r.printf("| contender | time | B/op |\n|---|---:|---:|\n")
	for _, row := range rows {
		r.printf("%s", row)
	}
	r.printf("\n")
}

func (r *report) targets() {
	d := r.d
	ns := func(op, lib string) float64 { return d.median("Request/op="+op+"/lib="+lib, "", "ns/op") }
	type target struct{ what, figure, met string }
	var ts []target
	// add records a target judged by met from the figures in need; a
	// target with a figure the run did not produce is not measured, not
	// missed.
	add := func(what string, met bool, need []float64, format string, args ...any) {
		verdict := "no"
		if met {
			verdict = "yes"
		}
		for _, v := range need {
			if math.IsNaN(v) {
				verdict = "not measured"
			}
		}
		ts = append(ts, target{what, fmt.Sprintf(format, args...), verdict})
	}
	nums := func(vs ...float64) []float64 { return vs }
	ours, iris, scs := "sessions-memory", "iris-memory", "scs-memstore"
	for _, op := range []string{"read", "rw"} {
		o, i, s := ns(op, ours), ns(op, iris), ns(op, scs)
		add("memory "+op+" ≤ iris memory", o <= i, nums(o, i), "%s vs %s (%s)", fmtNs(o), fmtNs(i), fmtRatio(o/i, 2))
		add("memory "+op+" ≤ 0.1× scs memstore", o <= 0.1*s, nums(o, s), "%s vs %s (%s)", fmtNs(o), fmtNs(s), fmtRatio(o/s, 3))
	}
	maxAllocs := 0.0
	for _, sc := range scenarios {
		// max keeps a NaN: a scenario not measured leaves the target so.
		maxAllocs = max(maxAllocs, d.median("Request/op="+sc.op+"/lib="+ours, "", "allocs/op"))
	}
	add("≤ 12 allocs per request (memory, incl. the harness's)", maxAllocs <= 12, nums(maxAllocs), "at most %s", fmtNum(maxAllocs, 0))
	rc := func(op, unit string) float64 {
		return d.median("RedisCommands/lib=sessions-redis/op="+op, "", unit)
	}
	// One command the client sent, in one round trip, and one the server
	// ran (a script's writes would count there): a read, no write.
	readOnly := rc("read", "cmds/op") == 1 && rc("read", "rtt/op") == 1 && rc("read", "srv-cmds/op") == 1
	add("Redis read-only = 1 command, 1 round trip, 0 writes", readOnly, nums(rc("read", "cmds/op"), rc("read", "rtt/op"), rc("read", "srv-cmds/op")),
		"%s command, %s round trip, %s command run by the server", fmtNum(rc("read", "cmds/op"), 2), fmtNum(rc("read", "rtt/op"), 2), fmtNum(rc("read", "srv-cmds/op"), 2))
	add("Redis read-write = 1 read + 1 commit round trip", rc("rw", "rtt/op") == 2, nums(rc("rw", "rtt/op")), "%s round trips", fmtNum(rc("rw", "rtt/op"), 2))
	add("Redis new ≤ 2 round trips", rc("new", "rtt/op") <= 2, nums(rc("new", "rtt/op")), "%s round trips", fmtNum(rc("new", "rtt/op"), 2))
	orw, srw, irw := ns("rw", "sessions-redis"), ns("rw", "scs-redisstore"), ns("rw", "iris-redis")
	// redis-floor is two bare round trips through go-redis: no library
	// doing a read and a write goes below it on this host.
	frw := ns("rw", "redis-floor")
	add("Redis read-write ≤ 0.6× scs redisstore", orw <= 0.6*srw, nums(orw, srw), "%s vs %s (%s); the floor of two bare round trips (redis-floor) %s, %s of scs",
		fmtNs(orw), fmtNs(srw), fmtRatio(orw/srw, 2), fmtNs(frw), fmtRatio(frw/srw, 2))
	add("Redis read-write below iris Redis", orw < irw, nums(orw, irw), "%s vs %s (%s)", fmtNs(orw), fmtNs(irw), fmtRatio(orw/irw, 2))
	for _, op := range []string{"read", "rw"} {
		sc := func(n, op, lib string) float64 {
			return d.median("Scale/sessions="+n+"/op="+op+"/lib="+lib, "", "ns/op")
		}
		a, b := sc("1k", op, ours), sc("1M", op, ours)
		na, nb := sc("1k", op, "none"), sc("1M", op, "none")
		peers := ""
		for _, lib := range []string{"scs-memstore", "iris-memory"} {
			peers += fmt.Sprintf(", %s %s", lib, fmtRatio(sc("1M", op, lib)/sc("1k", op, lib), 2))
		}
		add("memory "+op+" flat within 1.2× from 1k to 1M", b <= 1.2*a, nums(a, b),
			"%s → %s (%s; minus the no-session row %s%s); 1,000 sessions in use: %s (minus the no-session row %s)",
			fmtNs(a), fmtNs(b), fmtRatio(b/a, 2), fmtRatio((b-nb)/(a-na), 2), peers,
			fmtRatio(sc("1M", op+"-hot", ours)/sc("1k", op+"-hot", ours), 2),
			fmtRatio((sc("1M", op+"-hot", ours)-sc("1M", op+"-hot", "none"))/(sc("1k", op+"-hot", ours)-sc("1k", op+"-hot", "none")), 2))
	}
	wait := d.highest("CleanupLatency", "", "wait-max-ns")
	add("lookup wait during cleanup at 1M ≤ 1 ms", wait <= 1e6, nums(wait), "longest wait on the store %s (all runs; over 1 ms in "+r.over("CleanupLatency", "wait-max-ns", 1e6)+"); whole lookup by the clock: max %s (control without a sweep %s), p99 %s",
		fmtNs(wait), fmtNs(d.median("CleanupLatency", "", "max-ns")), fmtNs(d.median("CleanupLatency", "", "control-max-ns")), fmtNs(d.median("CleanupLatency", "", "p99-ns")))
	h := d.median("HeapPerSession/lib="+ours, "", "B/session")
	add("heap per idle 3-key session ≤ 377 B", h <= 377, nums(h), "%s B", fmtNum(h, 0))
	one, two := d.median("ParallelRW/lib="+ours, "1", "ns/op"), d.median("ParallelRW/lib="+ours, "2", "ns/op")
	add("parallel read-write, 2 cores ≥ 1.6× one core", one/two >= 1.6, nums(one, two), "%s", fmtRatio(one/two, 2))

	r.printf("### Targets (issue 6), from the figures above\n\n| target | figure | met |\n|---|---|---|\n")
	for _, t := range ts {
		r.printf("| %s | %s | %s |\n", t.what, t.figure, t.met)
	}
	r.printf("\n")
}

// ---- charts ----

var palette = []color.Color{
	color.RGBA{0x1f, 0x77, 0xb4, 0xff},
	color.RGBA{0xff, 0x7f, 0x0e, 0xff},
	color.RGBA{0x2c, 0xa0, 0x2c, 0xff},
	color.RGBA{0x94, 0x67, 0xbd, 0xff},
	color.RGBA{0xd6, 0x27, 0x28, 0xff},
	color.RGBA{0x8c, 0x56, 0x4b, 0xff},
	color.RGBA{0xe3, 0x77, 0xc2, 0xff},
	color.RGBA{0x7f, 0x7f, 0x7f, 0xff},
	color.RGBA{0xbc, 0xbd, 0x22, 0xff},
	color.RGBA{0x17, 0xbe, 0xcf, 0xff},
	color.RGBA{0x39, 0x3b, 0x79, 0xff},
}

// logTicks labels a log10-transformed axis with durations.
type logTicks struct{ base, top float64 }

func (t logTicks) Ticks(min, max float64) []plot.Tick {
	var ticks []plot.Tick
	for k := 0.0; k <= t.top; k++ {
		ticks = append(ticks, plot.Tick{Value: k, Label: tickLabel(math.Pow(10, t.base+k))})
		for m := 2.0; m < 10 && k < t.top; m++ {
			ticks = append(ticks, plot.Tick{Value: k + math.Log10(m)})
		}
	}
	return ticks
}

// tickLabel names a power of ten of nanoseconds: "100 ns", "1 µs", "10 ms".
func tickLabel(ns float64) string {
	units := []string{"ns", "µs", "ms", "s"}
	i := 0
	for ns >= 1000 && i < len(units)-1 {
		ns /= 1000
		i++
	}
	return fmt.Sprintf("%.0f %s", ns, units[i])
}

// chart draws grouped bars of durations (ns) on a log scale: one group per
// category, one bar per series. A NaN value draws no bar.
func (r *report) chart(file, title string, cats, series []string, vals [][]float64) {
	if r.err != nil || len(cats) == 0 {
		return
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range vals {
		for _, v := range s {
			if v > 0 {
				lo, hi = min(lo, v), max(hi, v)
			}
		}
	}
	if math.IsInf(lo, 1) {
		return
	}
	base := math.Floor(math.Log10(lo))
	top := math.Ceil(math.Log10(hi)) - base
	if len(series) > 4 {
		// Room above the bars for a legend of many entries.
		top++
	}
	p := plot.New()
	p.Title.Text = title
	p.Y.Label.Text = "time per request"
	p.Y.Min, p.Y.Max = 0, top
	p.Y.Tick.Marker = logTicks{base, top}
	p.Legend.Top = true
	p.Legend.Left = true
	w := vg.Points(min(16, 300/float64(len(cats)*len(series))))
	for i, name := range series {
		v := make(plotter.Values, len(cats))
		for j, x := range vals[i] {
			if x > 0 {
				v[j] = math.Log10(x) - base
			}
		}
		bars, err := plotter.NewBarChart(v, w)
		if err != nil {
			r.err = err
			return
		}
		bars.Color = palette[i%len(palette)]
		bars.LineStyle.Width = 0
		bars.Offset = w * vg.Length(float64(i)-float64(len(series)-1)/2)
		p.Add(bars)
		p.Legend.Add(name, bars)
	}
	p.Add(plotter.NewGrid())
	p.NominalX(cats...)
	// Room for the outermost groups' bars, which the offsets push past
	// the first and last category.
	p.X.Min, p.X.Max = -0.6, float64(len(cats))-0.4
	p.X.Tick.Label.Rotation = 0.35
	p.X.Tick.Label.XAlign = draw.XRight
	p.X.Tick.Label.YAlign = draw.YCenter
	r.save(p, file, max(8, 1.1*float64(len(cats))))
}

// barChart draws one linear bar per category.
func (r *report) barChart(file, title string, cats []string, vals []float64) {
	if r.err != nil {
		return
	}
	p := plot.New()
	p.Title.Text = title
	bars, err := plotter.NewBarChart(plotter.Values(vals), vg.Points(40))
	if err != nil {
		r.err = err
		return
	}
	bars.Color = palette[0]
	bars.LineStyle.Width = 0
	p.Add(plotter.NewGrid(), bars)
	p.NominalX(cats...)
	p.Y.Min = 0
	r.save(p, file, 6)
}

func (r *report) save(p *plot.Plot, file string, widthInches float64) {
	if err := p.Save(vg.Length(widthInches)*vg.Inch, 4.5*vg.Inch, filepath.Join(r.dir, file)); err != nil {
		r.err = err
	}
}
