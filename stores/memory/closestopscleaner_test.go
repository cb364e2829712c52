package memory

import (
	"testing"
	"time"
)

// TestCloseStopsCleaner checks that Close returns only once the background
// cleaner has exited, whatever its interval, so a closed store leaves no
// goroutine ticking behind it; a second Close does not block.
func TestCloseStopsCleaner(t *testing.T) {
	for _, interval := range []time.Duration{time.Millisecond, time.Hour} {
		st := New(Options{CleanupInterval: interval})
		if interval == time.Millisecond {
			time.Sleep(5 * time.Millisecond) // let the cleaner run a few sweeps
		}
		if err := st.Close(); err != nil {
			t.Fatalf("interval %v: Close: %v", interval, err)
		}
		select {
		case <-st.done:
		default:
			t.Fatalf("interval %v: the cleaner is still running after Close returned", interval)
		}
		if err := st.Close(); err != nil {
			t.Fatalf("interval %v: second Close: %v", interval, err)
		}
	}
}
