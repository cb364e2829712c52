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

// TestGuessKeyOneClientEverySpelling: guessing detection counts a client
// by its address, so every spelling of one address is one client. A proxy
// on a dual-stack socket names an IPv4 client as an IPv4-mapped IPv6
// address ("::ffff:203.0.113.5"), which may be written out in full; that
// client is the IPv4 address, as it is for TrustedProxies.
func TestGuessKeyOneClientEverySpelling(t *testing.T) {
	for _, tc := range []struct {
		want      string
		spellings []string
	}{
		{"203.0.113.5", []string{"203.0.113.5", "::ffff:203.0.113.5", "::FFFF:203.0.113.5", "0:0:0:0:0:ffff:cb00:7105", "0000:0000:0000:0000:0000:ffff:cb00:7105"}},
		{"2001:db8:1:2::/64", []string{"2001:db8:1:2::5", "2001:DB8:1:2:0:0:0:9", "2001:db8:1:2::5%eth0"}},
	} {
		for _, s := range tc.spellings {
			if got := guessKey(s); got != tc.want {
				t.Errorf("guessKey(%q) = %q, want %q", s, got, tc.want)
			}
		}
	}
}
