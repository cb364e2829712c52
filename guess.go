package sessions

import (
	"hash/maphash"
	"net"
	"net/netip"
	"slices"
	"sync"
	"time"
)

// GuessingOptions configures the detection of clients that present many
// unknown session IDs, the signature of an attempt to guess one. With a
// client store (the cookie store) there is no ID to guess: a cookie that
// does not authenticate is an EventCorrupt, and nothing is counted.
type GuessingOptions struct {
	// Threshold is how many different unknown-but-well-formed IDs one
	// client presents within Window for EventGuessing to be emitted (once
	// per window), with the Threshold-th of them. An ID presented again
	// counts once (up to 64 different IDs a client are remembered): a
	// browser sends the cookie of a session that has expired on every
	// request until it gets a new one, and a returning user is no
	// guesser, nor are several behind one address. A client is an IPv4 address or an IPv6 /64.
	// Default 0: counting is off.
	Threshold int

	// Window is the counting period. Default one minute; at least a second.
	Window time.Duration

	// BlockCreation refuses to create sessions for a client that has
	// reached the threshold, from the request presenting its Threshold-th
	// unknown ID until its window ends: it gets no cookie and no store
	// write.
	// Setting it without Threshold is an error: counting is off, so no
	// client would ever be blocked.
	BlockCreation bool

	// TrustedProxies lists the networks of reverse proxies whose
	// X-Forwarded-For header names the client. Requests from anywhere else
	// are attributed to their peer address. Default none.
	TrustedProxies []*net.IPNet
}

// guessCounter counts different unknown IDs per client IP in fixed windows.
// Its size is bounded: when it holds maxKeys clients it forgets those under the
// threshold, so that a flood of new clients cannot clear the count of one
// that crossed it; should most of them have crossed it, it starts a new
// window early.
type guessCounter struct {
	mu      sync.Mutex
	start   time.Time
	counts  map[string]*guessClient
	opts    GuessingOptions
	maxKeys int
	seed    maphash.Seed
}

// guessClient is one client's count in the current window.
type guessClient struct {
	n int // different unknown IDs presented
	// seen holds digests of the unknown IDs counted, so that one presented
	// again is not counted again: clients behind one address (a NAT), each
	// with its own expired session's cookie, present a few IDs over and
	// over. It holds up to maxSeen; past that the nth goes to
	// seen[n%maxSeen].
	seen []uint64
}

// maxSeen bounds the digests kept per client, which bounds the counter's
// memory at maxKeys*maxSeen*8 bytes. A Threshold above it counts an ID
// that left the list again.
const maxSeen = 64

func newGuessCounter(o GuessingOptions) *guessCounter {
	if o.Window <= 0 {
		o.Window = time.Minute
	}
	return &guessCounter{counts: map[string]*guessClient{}, opts: o, maxKeys: 100_000, seed: maphash.MakeSeed()}
}

// miss records that ip presented key, the store key of an unknown ID, and
// reports whether this miss crossed the threshold. A key the client
// presented before in the window is not counted again.
func (g *guessCounter) miss(ip, key string, now time.Time) bool {
	k := guessKey(ip)
	h := maphash.String(g.seed, key)
	g.mu.Lock()
	defer g.mu.Unlock()
	g.roll(now)
	c := g.counts[k]
	if c == nil {
		c = &guessClient{}
		g.counts[k] = c
	}
	if slices.Contains(c.seen, h) {
		return false
	}
	if len(c.seen) < maxSeen {
		c.seen = append(c.seen, h)
	} else {
		c.seen[c.n%maxSeen] = h
	}
	c.n++
	return c.n == g.opts.Threshold
}

// blocked reports whether ip has reached the threshold in the current
// window.
func (g *guessCounter) blocked(ip string, now time.Time) bool {
	k := guessKey(ip)
	g.mu.Lock()
	defer g.mu.Unlock()
	g.roll(now)
	c := g.counts[k]
	return c != nil && c.n >= g.opts.Threshold
}

// guessKey is the unit a client is counted by: its IPv4 address, or the /64
// of its IPv6 address, since an IPv6 client picks addresses from its /64 at
// will and would otherwise never reach the threshold. An IPv4-mapped IPv6
// address (how a dual-stack proxy names an IPv4 client) is its IPv4
// address, in the one spelling netip gives it.
func guessKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	if a.Is4() || a.Is4In6() {
		return a.Unmap().String()
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
	for k, c := range g.counts {
		if c.n < g.opts.Threshold {
			delete(g.counts, k)
		}
	}
	if len(g.counts) >= g.maxKeys/2 {
		// Pruning again would come too soon to pay for the scan.
		g.start = now
		clear(g.counts)
	}
}
