package memory_test

import (
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
	"github.com/sessionkit/sessions/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, conformanceHarness(memory.Options{}))
}

// TestConformanceSweeping runs the suite with the cleaner sweeping every
// few milliseconds, so that every check runs while sweeps remove expired
// records and grace aliases and rebuild the shards' maps: a sweep must
// never remove or hide a live record or alias. (With the default interval
// of a minute no sweep falls within the suite.)
func TestConformanceSweeping(t *testing.T) {
	storetest.Run(t, conformanceHarness(memory.Options{CleanupInterval: 5 * time.Millisecond}))
}

// conformanceHarness gives the conformance suite stores made with o.
func conformanceHarness(o memory.Options) storetest.Harness {
	return storetest.Harness{
		New: func(t *testing.T) sessions.Store {
			s := memory.New(o)
			t.Cleanup(func() { s.Close() })
			return s
		},
	}
}
