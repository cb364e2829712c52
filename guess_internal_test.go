package sessions

import (
	"strconv"
	"testing"
	"time"
)

// TestGuessCounterFull fills the counter with new clients: one that crossed
// the threshold must stay blocked until its window ends, while clients
// under it are forgotten; only a counter mostly full of blocked clients
// starts over.
func TestGuessCounterFull(t *testing.T) {
	for _, tc := range []struct {
		name        string
		blocked     int // clients over the threshold before the flood
		stillBlocks bool
	}{
		{"OneBlocked", 1, true},
		{"FewBlocked", 4, true},
		{"MostlyBlocked", 6, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := newGuessCounter(GuessingOptions{Threshold: 3, Window: time.Minute})
			g.maxKeys = 10
			now := time.Unix(1_700_000_000, 0)
			for i := range tc.blocked {
				ip := "10.0.0." + strconv.Itoa(i)
				for j := range 3 {
					g.miss(ip, "unknown-"+strconv.Itoa(j), now)
				}
				if !g.blocked(ip, now) {
					t.Fatalf("%s not blocked after 3 misses", ip)
				}
			}
			for i := range 50 { // far more new clients than the counter holds
				g.miss("192.0.2."+strconv.Itoa(i), "unknown", now)
			}
			if n := len(g.counts); n > g.maxKeys {
				t.Errorf("the counter holds %d clients, over its bound of %d", n, g.maxKeys)
			}
			if got := g.blocked("10.0.0.0", now); got != tc.stillBlocks {
				t.Errorf("blocked after a flood of new clients = %v, want %v", got, tc.stillBlocks)
			}
			if g.blocked("10.0.0.0", now.Add(time.Minute)) {
				t.Error("still blocked once the window has ended")
			}
		})
	}
}
