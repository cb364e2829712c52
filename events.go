package sessions

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// EventKind names a lifecycle or security event.
type EventKind int

// The events a Manager emits through Options.OnEvent.
//
// A store forgets a record at its deadline (the earlier of the idle and
// absolute ones): the memory store stops returning it at once, Redis
// expires the key. So a session presented after its deadline is usually
// reported as EventInvalidID. EventExpiredIdle and EventExpiredAbsolute
// are the sessions a store still returned past a deadline (its clock
// behind the manager's, or a record whose stored deadline is later), which
// the manager checks on every read.
const (
	EventCreated          EventKind = iota + 1 // a new session was stored
	EventRenewed                               // a session got a new ID (Renew, Login, rotation)
	EventDestroyed                             // a session was destroyed (Destroy, logout, revocation)
	EventExpiredIdle                           // a presented session had passed its idle timeout
	EventExpiredAbsolute                       // a presented session had passed its absolute lifetime
	EventInvalidID                             // a well-formed ID that is not a live session was presented
	EventMalformedID                           // a cookie value of the wrong shape was presented
	EventDuplicateCookie                       // the request carried several different session cookies
	EventCSRFFail                              // an unsafe request failed the CSRF check
	EventBindMismatch                          // the client no longer matches the session's binding
	EventCorrupt                               // a stored record could not be decoded
	EventLostWrite                             // a commit found its session destroyed or renewed meanwhile and was dropped
	EventStoreError                            // a store call failed
	EventGuessing                              // a client passed the unknown-ID threshold
	EventTooLarge                              // a change was refused: the session would pass its size cap (ErrTooLarge)
	EventUnsupportedValue                      // a change was refused: it holds a value the codec cannot encode (ErrUnsupportedValue)
)

var eventNames = map[EventKind]string{
	EventCreated: "created", EventRenewed: "renewed", EventDestroyed: "destroyed",
	EventExpiredIdle: "expired-idle", EventExpiredAbsolute: "expired-absolute",
	EventInvalidID: "invalid-id", EventMalformedID: "malformed-id",
	EventDuplicateCookie: "duplicate-cookie", EventCSRFFail: "csrf-fail",
	EventBindMismatch: "binding-mismatch", EventCorrupt: "corrupt-record",
	EventLostWrite: "lost-write", EventStoreError: "store-error", EventGuessing: "guessing",
	EventTooLarge: "too-large", EventUnsupportedValue: "unsupported-value",
}

// String returns the event's name, such as "expired-idle".
func (k EventKind) String() string {
	if n, ok := eventNames[k]; ok {
		return n
	}
	return "unknown"
}

// Event describes something that happened to a session. It never carries a
// session ID or CSRF token: sessions are named by Handle, a prefix of the
// store key.
type Event struct {
	// Kind is what happened.
	Kind EventKind
	// Handle is the first 16 hex characters of the store key, or "".
	Handle string
	// User is the session's user (Meta.User), or "" when anonymous or
	// not known.
	User string
	// IP is the client's address: the request's peer, or the rightmost
	// X-Forwarded-For entry outside Guessing.TrustedProxies when the peer
	// is one of them, as the proxy wrote it (a proxy that writes a token
	// such as "unknown" there passes it on as it is).
	IP string
	// UserAgent is the request's User-Agent header.
	UserAgent string
	// Err is the error behind the event, or nil.
	Err error
}

// shortHandle is what logs and events show of a store key.
func shortHandle(key string) string {
	if len(key) > 16 {
		return key[:16]
	}
	return key
}

// logged reports whether an event goes to Options.Logger as well as to
// OnEvent: errors, and the anomalies that point at an attack on a session
// rather than at a stale cookie (a binding mismatch: the cookie presented
// by another client; guessing).
func logged(kind EventKind, err error) bool {
	return err != nil || kind == EventGuessing || kind == EventBindMismatch
}

func (m *Manager) emit(r *http.Request, kind EventKind, key, user string, err error) {
	if kind == EventStoreError {
		// No store call failed: the request asked for more than the
		// session may hold (Options.MaxSize, a store's or the cookie's
		// limit), or stored a value the codec refuses (the handler's
		// mistake). A warning, not an error a store outage alert counts.
		switch {
		case errors.Is(err, ErrTooLarge):
			kind = EventTooLarge
		case errors.Is(err, ErrUnsupportedValue):
			kind = EventUnsupportedValue
		case errors.Is(err, ErrCreationBlocked):
			kind = EventGuessing // a login refused its new session
		}
	}
	log := logged(kind, err)
	if m.opts.OnEvent == nil && !log {
		return
	}
	e := Event{Kind: kind, Handle: shortHandle(key), User: user, Err: err}
	var ctx context.Context = context.Background()
	if r != nil {
		ctx = r.Context()
		e.IP = clientIP(r, m.opts.Guessing.TrustedProxies)
		e.UserAgent = r.UserAgent()
	}
	if log {
		level := slog.LevelWarn
		if kind == EventStoreError && !clientGone(r, err) {
			level = slog.LevelError
		}
		m.log.LogAttrs(ctx, level, "sessions: "+kind.String(),
			slog.String("session", e.Handle), slog.String("ip", e.IP), slog.Any("err", err))
	}
	if m.opts.OnEvent != nil {
		m.opts.OnEvent(ctx, e)
	}
}

// clientGone reports whether err is the request's own context ending by
// cancellation: the client went away (or a handler cancelled it) while a
// store call was in flight. The event is still a store-error, since the
// call failed, but it is logged as a warning: a store outage alert must
// not fire for every client that closes its connection mid-request.
func clientGone(r *http.Request, err error) bool {
	return r != nil && errors.Is(err, context.Canceled) && errors.Is(r.Context().Err(), context.Canceled)
}

// clientIP is the request's peer address, or the rightmost untrusted address
// of X-Forwarded-For when the peer is a trusted proxy.
func clientIP(r *http.Request, trusted []*net.IPNet) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if len(trusted) == 0 || !inNets(host, trusted) {
		return host
	}
	hops := r.Header.Values("X-Forwarded-For")
	for i := len(hops) - 1; i >= 0; i-- {
		parts := strings.Split(hops[i], ",")
		for j := len(parts) - 1; j >= 0; j-- {
			ip := forwardedAddr(strings.TrimSpace(parts[j]))
			if ip != "" && !inNets(ip, trusted) {
				return ip
			}
		}
	}
	return host
}

// forwardedAddr returns the address of an X-Forwarded-For entry that some
// proxies write with the client's port ("203.0.113.5:50123",
// "[2001:db8::5]:50123", as Azure Application Gateway does) or as an IPv6
// address in brackets. Any other entry is returned as it is.
func forwardedAddr(s string) string {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().String()
	}
	if len(s) > 2 && s[0] == '[' && s[len(s)-1] == ']' {
		if a, err := netip.ParseAddr(s[1 : len(s)-1]); err == nil {
			return a.String()
		}
	}
	return s
}

// inNets reports whether ip is in one of nets. An IPv6 address's zone
// ("fe80::1%eth0", a peer on a link-local address) is not part of it.
func inNets(ip string, nets []*net.IPNet) bool {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	p := net.IP(a.WithZone("").AsSlice())
	for _, n := range nets {
		if n.Contains(p) {
			return true
		}
	}
	return false
}
