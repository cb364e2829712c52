package redis

import (
	"testing"
	"time"

	"github.com/sessionkit/sessions/storetest"
)

// TestGraceNotCutShort checks that a grace alias lasts the whole grace
// when the grace is not a whole number of milliseconds: Rename rounds it up
// for PEXPIRE, as record expiries are rounded up (expiryMillis). Truncated,
// a grace of 1.999999ms lasted 1ms, and a Load through the old key that
// started and ended within the grace, counted from the Rename call, found
// nothing.
func TestGraceNotCutShort(t *testing.T) {
	t.Parallel()
	c := sharedClient(t)
	const grace = 2*time.Millisecond - time.Nanosecond
	for _, proto := range protocols {
		t.Run(proto.name, func(t *testing.T) {
			s := newTestStore(t, c, proto.o)
			ctx := t.Context()
			tried := 0
			for attempt := 0; attempt < 500 && tried < 20; attempt++ {
				oldKey, newKey := storetest.NewKey(t), storetest.NewKey(t)
				if err := s.Create(ctx, oldKey, storetest.NewRecord(time.Hour, "a", 1)); err != nil {
					t.Fatal(err)
				}
				for time.Now().UnixNano()%1e6 < 600_000 { // start late in a millisecond
				}
				start := time.Now()
				if err := s.Rename(ctx, oldKey, newKey, grace); err != nil {
					t.Fatal(err)
				}
				done := time.Now()
				// Load just after the second millisecond boundary after
				// Rename returned, if that is still well within the grace.
				at := time.Unix(0, (done.UnixNano()/1e6+2)*1e6+100_000)
				if at.Sub(start) > grace-200*time.Microsecond {
					continue
				}
				for time.Now().Before(at) {
				}
				_, found, err := s.Load(ctx, oldKey)
				if time.Since(start) >= grace {
					continue // too slow to tell
				}
				tried++
				if err != nil {
					t.Fatal(err)
				}
				if !found {
					t.Fatalf("Load(old) ended %v after Rename was called (it returned after %v), within a grace of %v: not found; the alias was dropped before the grace passed",
						time.Since(start).Round(time.Microsecond), done.Sub(start).Round(time.Microsecond), grace)
				}
			}
			t.Logf("%d timed attempts, the alias always resolved", tried)
		})
	}
}
