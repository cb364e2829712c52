package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// partialRaw is the output of a run without Redis (its rows skipped), with
// BenchmarkScale stopped before 1M and without BenchmarkHeapPerSession:
// what a run on a machine without redis-server, or one cut short, gives.
const partialRaw = `goos: linux
goarch: amd64
pkg: github.com/sessionkit/sessions/bench
BenchmarkRequest/op=read/lib=sessions-memory-2   	 1000	      1700 ns/op	    1136 B/op	       6 allocs/op
BenchmarkRequest/op=rw/lib=sessions-memory-2     	 1000	      2000 ns/op	    1391 B/op	       8 allocs/op
BenchmarkRequest/op=new/lib=sessions-memory-2    	 1000	      4000 ns/op	    2000 B/op	      11 allocs/op
BenchmarkRequest/op=read/lib=iris-memory-2       	 1000	      1800 ns/op	     744 B/op	       8 allocs/op
BenchmarkRequest/op=rw/lib=iris-memory-2         	 1000	      2100 ns/op	     800 B/op	       9 allocs/op
BenchmarkRequest/op=new/lib=iris-memory-2        	 1000	      4700 ns/op	     900 B/op	      17 allocs/op
BenchmarkRequest/op=read/lib=scs-memstore-2      	 1000	     21000 ns/op	    9984 B/op	     216 allocs/op
BenchmarkRequest/op=rw/lib=scs-memstore-2        	 1000	     32000 ns/op	    9984 B/op	     255 allocs/op
BenchmarkRequest/op=new/lib=scs-memstore-2       	 1000	      9000 ns/op	    9984 B/op	      48 allocs/op
BenchmarkScale/sessions=1k/op=read/lib=sessions-memory-2     	 1000	      2000 ns/op
BenchmarkScale/sessions=1k/op=rw/lib=sessions-memory-2       	 1000	      2500 ns/op
BenchmarkScale/sessions=100k/op=read/lib=sessions-memory-2   	 1000	      3000 ns/op
BenchmarkScale/sessions=100k/op=rw/lib=sessions-memory-2     	 1000	      3500 ns/op
`

// report renders the report of raw into a string, charts into a temporary
// directory.
func renderReport(t *testing.T, raw string) string {
	t.Helper()
	dir := t.TempDir()
	file := filepath.Join(dir, "raw.txt")
	if err := os.WriteFile(file, []byte(raw), 0o644); err != nil {
		t.Fatal(err)
	}
	d := newData()
	if err := d.read(file); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	r := &report{d: d, w: &out, dir: dir}
	r.all()
	if r.err != nil {
		t.Fatal(r.err)
	}
	return out.String()
}

// TestReportMissingRows proves that rows a run did not produce show as not
// measured: no NaN in a table, and no target reported as missed ("no")
// when its figures were never measured.
func TestReportMissingRows(t *testing.T) {
	out := renderReport(t, partialRaw)
	if strings.Contains(out, "NaN") {
		t.Errorf("report shows NaN for missing figures:\n%s", grepLines(out, "NaN"))
	}
	for _, target := range []string{
		"Redis read-only = 1 command, 1 round trip, 0 writes",
		"Redis read-write ≤ 0.6× scs redisstore",
		"memory read flat within 1.2× from 1k to 1M",
		"lookup wait during cleanup at 1M ≤ 1 ms",
		"heap per idle 3-key session ≤ 377 B",
		"parallel read-write, 2 cores ≥ 1.6× one core",
	} {
		line := grepLines(out, "| "+target+" |")
		if !strings.HasSuffix(line, "| not measured |") {
			t.Errorf("target %q, never measured, reads %q; want it marked not measured", target, line)
		}
	}
	// A target whose figures are all there is still judged.
	if line := grepLines(out, "| memory read ≤ iris memory |"); !strings.HasSuffix(line, "| yes |") {
		t.Errorf("measured target reads %q, want yes", line)
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		if strings.Contains(line, sub) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}
