package bench

import (
	"runtime/metrics"
	"testing"
)

// gcCPU is the CPU time the garbage collector has used in this process
// (marking, assists, sweeping and pauses), from runtime/metrics.
func gcCPU() float64 {
	s := []metrics.Sample{{Name: "/cpu/classes/gc/total:cpu-seconds"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindFloat64 {
		return 0
	}
	return s[0].Value.Float64()
}

// gcMeter reports, per b.N requests, the garbage collector's CPU time
// (gc-cpu-ns/op): the share of a request's cost that grows with the live
// heap the collector marks, whatever handler made the garbage.
type gcMeter struct{ start float64 }

func startGC() gcMeter { return gcMeter{gcCPU()} }

func (m gcMeter) report(b *testing.B) {
	if n := float64(b.N); n > 0 {
		b.ReportMetric((gcCPU()-m.start)*1e9/n, "gc-cpu-ns/op")
	}
}
