package sessions

import (
	"net"
	"net/netip"
	"sync"
	"time"
)

// GuessingOptions configures the detection of clients that present many
// unknown session IDs, the signature of an attempt to guess one.
type GuessingOptions struct {
	// Threshold is how many unknown-but-well-formed IDs one client may
	// present within Window before EventGuessing is emitted (once per window).
	// A client is an IPv4 address or an IPv6 /64. Default 0: counting is off.
	Threshold int

	// Window is the counting period. Default one minute.
	Window time.Duration

	// BlockCreation refuses to create sessions for a client over the
	// threshold until its window ends: it gets no cookie and no store write.
	BlockCreation bool

	// TrustedProxies lists the networks of reverse proxies whose
	// X-Forwarded-For header names the client. Requests from anywhere else
	// are attributed to their peer address. Default none.
	TrustedProxies []*net.IPNet
}

// guessCounter counts unknown IDs per client IP in fixed windows. Its size is
// bounded: when it holds maxKeys clients it forgets those under the
// threshold, so that a flood of new clients cannot clear the count of one
// that crossed it; should most of them have crossed it, it starts a new
// window early.
type guessCounter struct {
	mu      sync.Mutex
	start   time.Time
	counts  map[string]int
	opts    GuessingOptions
	maxKeys int
}

func newGuessCounter(o GuessingOptions) *guessCounter {
	if o.Window <= 0 {
		o.Window = time.Minute
	}
	return &guessCounter{counts: map[string]int{}, opts: o, maxKeys: 100_000}
}

// miss records an unknown ID from ip and reports whether this miss crossed the
// threshold.
func (g *guessCounter) miss(ip string, now time.Time) bool {
	k := guessKey(ip)
	g.mu.Lock()
	defer g.mu.Unlock()
	g.roll(now)
	g.counts[k]++
	return g.counts[k] == g.opts.Threshold
}

// blocked reports whether ip is over the threshold in the current window.
func (g *guessCounter) blocked(ip string, now time.Time) bool {
	k := guessKey(ip)
	g.mu.Lock()
	defer g.mu.Unlock()
	g.roll(now)
	return g.counts[k] >= g.opts.Threshold
}

// guessKey is the unit a client is counted by: its IPv4 address, or the /64
// of its IPv6 address, since an IPv6 client picks addresses from its /64 at
// will and would otherwise never reach the threshold.
func guessKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil || a.Is4() || a.Is4In6() {
		return ip
	}
	p, err := a.WithZone("").Prefix(64)
	if err != nil {
		return ip
	}
	return p.String()
}

func (g *guessCounter) roll(now time.Time) {
	if now.Sub(g.start) >= g.opts.Window {
		g.start = now
		clear(g.counts)
		return
	}
	if len(g.counts) < g.maxKeys {
		return
	}
	for k, n := range g.counts {
		if n < g.opts.Threshold {
			delete(g.counts, k)
		}
	}
	if len(g.counts) >= g.maxKeys/2 {
		// Pruning again would come too soon to pay for the scan.
		g.start = now
		clear(g.counts)
	}
}
