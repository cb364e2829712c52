package bench

import (
	"runtime"
	"testing"
)

// TestContendersRelease proves that the release function of every
// in-memory contender gives its sessions back to the garbage collector.
// BenchmarkScale seeds up to 1M sessions into one contender after another
// and promises that each is freed before the next is seeded (one contender
// in memory at a time); BenchmarkCleanupLatency, which runs after it,
// times lookups while the garbage collector marks the live heap. A store
// kept alive after its release (by a cleanup goroutine or by per-session
// timers) would sit in the heap of every later measurement.
func TestContendersRelease(t *testing.T) {
	const n = 20_000
	for _, c := range contenders() {
		if !c.heap {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			if c.name == "scs-memstore" && raceEnabled {
				t.Skip("scs's StopCleanup races with its cleanup goroutine's start, so it is not called under the race detector (see openSCSMemory)")
			}
			var before, after runtime.MemStats
			runtime.GC()
			runtime.GC()
			runtime.ReadMemStats(&before)
			func() {
				h, closeFn := c.open(t)
				seed(t, h, n)
				closeFn()
			}()
			runtime.GC()
			runtime.GC()
			runtime.ReadMemStats(&after)
			// Every store here costs over 300 bytes a session; what may
			// stay is a stopped iris timer the runtime has not yet taken
			// out of its timer heap (about 20 bytes).
			if per := float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / n; per > 50 {
				t.Errorf("%.0f bytes a session still live after the release of %d sessions, want about 0", per, n)
			}
		})
	}
}
