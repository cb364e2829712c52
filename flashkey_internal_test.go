package sessions

import (
	"strings"
	"testing"
)

// TestFlashKeysDifferAcrossProcesses checks flashKey's promise that two
// servers queueing a flash at the same instant do not share a key: each
// process has a stamp counter of its own, so at one clock reading both
// draw the same stamp, and only the random part tells the messages apart
// (a shared key would keep one message of the two). A second process is
// played by a stamp counter set back to where the first one started.
func TestFlashKeysDifferAcrossProcesses(t *testing.T) {
	const now = 1_800_000_000_000_000_000
	start := flashStamp.Load()
	t.Cleanup(func() {
		// Stamps never go back in this process: leave the counter at
		// the latest stamp given.
		flashStamp.Store(max(start+1, now))
	})
	first := flashKey(now)
	flashStamp.Store(start) // the other process's counter
	second := flashKey(now)
	if first[:len(flashPrefix)+16] != second[:len(flashPrefix)+16] {
		t.Fatalf("keys %q and %q have different stamps; the test wants one stamp drawn twice", first, second)
	}
	if first == second {
		t.Errorf("two processes queueing at one instant got the same flash key %q", first)
	}
	if !strings.HasPrefix(first, flashPrefix) || len(first) != len(flashPrefix)+24 {
		t.Errorf("flash key %q, want %q, 16 hex digits of stamp and 8 random ones", first, flashPrefix)
	}
}
