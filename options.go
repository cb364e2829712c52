package sessions

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"time"
)

// Options configures a Manager. Every field's zero value means its default,
// so Options{} is the safe, ready configuration.
type Options struct {
	// CookieName is the session cookie's name. Default "__Host-id": generic,
	// so it does not reveal the library, and host-locked by its prefix. A name
	// with the "__Host-" prefix requires Secure, Path "/" and no Domain; one
	// with "__Secure-" requires Secure. Prefixes are matched case-insensitively.
	CookieName string

	// HostPrefix prepends "__Host-" to CookieName when it lacks the prefix.
	HostPrefix bool

	// Domain is the cookie's Domain attribute. Default none (host-only).
	Domain string

	// Path is the cookie's Path attribute. Default "/".
	Path string

	// SameSite is the cookie's SameSite attribute. Default http.SameSiteLaxMode;
	// http.SameSiteNoneMode requires Secure.
	SameSite http.SameSite

	// Secure decides the cookie's Secure attribute. Default SecureAlways
	// (browsers and curl accept Secure cookies from http://localhost, so
	// development works). SecureIfTLS and SecureNever need AllowInsecure,
	// and a CookieName without the "__Host-" or "__Secure-" prefix: the
	// default name has one.
	Secure SecureMode

	// AllowInsecure permits Secure modes other than SecureAlways, for
	// development over plain HTTP on a host other than localhost.
	AllowInsecure bool

	// AllowScriptAccess drops the HttpOnly attribute, letting page scripts
	// read the session ID. Default false (HttpOnly set). Leave it false.
	AllowScriptAccess bool

	// Partitioned sets the cookie's Partitioned attribute (CHIPS). Requires
	// Secure. Default false.
	Partitioned bool

	// Persist makes the cookie outlive the browser session ("remember me"):
	// it gets a Max-Age of the session's remaining absolute lifetime, capped at
	// 400 days. Default false: the cookie ends with the browser session.
	Persist bool

	// IdleTimeout ends a session after this long without a request. Enforced
	// on every read from the record's metadata, whatever the store purges.
	// Default 30 minutes; at least a second (a time.Duration counts
	// nanoseconds: write 30*time.Minute); when set, at most Lifetime (12
	// hours unless set), which would otherwise end every session first.
	// Longer than 100 years counts as 100 years.
	IdleTimeout time.Duration

	// Lifetime ends a session this long after its creation or last Login,
	// however active it is. Default 12 hours; at least a second. Longer
	// than 100 years (math.MaxInt64, say) counts as 100 years.
	Lifetime time.Duration

	// TouchInterval is how stale the recorded last activity may get before a
	// request records it again: a read-only request then writes it, a request
	// that changes values carries it in the same commit (otherwise its commit
	// holds only the changed values). Default IdleTimeout/10, at most one
	// minute. Larger values mean fewer writes and a less exact idle timeout:
	// a session idle for IdleTimeout-TouchInterval may expire. It must be at
	// most IdleTimeout/2, and at least a second (or IdleTimeout/10, if that
	// is shorter): TouchInterval: 30 is 30 ns, not 30 seconds.
	TouchInterval time.Duration

	// RotateAfter renews a session's ID automatically once the ID is this old
	// (the data and the absolute lifetime stay). Default 0: no rotation.
	// It must be at least a second, shorter than Lifetime, and longer than
	// RotateGrace (30 seconds unless set).
	// Rotation happens in Manager.Handler only, where the new cookie is sure
	// to be sent before the response's first byte.
	RotateAfter time.Duration

	// RotateGrace is how long the ID replaced by an automatic rotation keeps
	// working, so requests already in flight are not logged out. Default 30
	// seconds; at least a second, at most 60 seconds, and shorter than
	// RotateAfter. Setting it without RotateAfter is an error: there is no
	// rotation to give a grace to. Renew and Login end the old ID at once.
	RotateGrace time.Duration

	// KeepOnLogin lists the keys an anonymous session carries into the
	// session Login creates (a shopping cart, a locale); FlashKey carries
	// the queued flash messages. Every other key is dropped, so nothing
	// planted before login is promoted. Default none.
	KeepOnLogin []string

	// MaxPerUser caps a user's concurrent sessions; Login applies the
	// LimitPolicy when it would exceed it. With EvictOldest the oldest
	// sessions are ended once the login is stored, so logins racing at the
	// cap leave exactly MaxPerUser sessions (the latest logins), and a
	// login refused or failed at its commit ends none. "Latest" is by
	// Meta.Created, which each login takes from its server's clock (Now),
	// then by store key, the same order for every racer: servers sharing
	// a store need their clocks in step, or a login on a server whose
	// clock is behind can end itself and keep an earlier one, as can two
	// logins within one tick of a coarse clock; with LimitReject
	// Login refuses at the cap, and racing logins can both pass. The
	// session being logged in never counts against its own login, also
	// under the key a parallel rotation gave it. Default 0: no cap. Needs
	// a store with a user index.
	MaxPerUser int

	// LimitPolicy says what Login does at MaxPerUser. Default EvictOldest.
	// LimitReject without MaxPerUser is an error: there is no cap to reject
	// logins at.
	LimitPolicy LimitPolicy

	// MaxSize caps a session's values at MaxSize bytes, counting each key
	// plus its value's encoding (EncodeValue). A commit or an Increment
	// that would take the session over it is refused with an error
	// wrapping ErrTooLarge and stores nothing; so is a value that cannot
	// be encoded, with ErrUnsupportedValue. A refusal leaves the session
	// usable: Save and Increment return the error (drop the offending
	// value and save again), a change written at once is not kept and Err
	// reports it, and under Handler the ErrorHandler answers a commit the
	// middleware finds refused. An Increment counts a key the
	// session does not hold at the most an int takes (20 bytes), and a
	// counter it holds by the digits the count would gain. Each request
	// checks against the values it read, so concurrent requests on one
	// session can each add up to the cap's remainder. Default 0: no cap
	// but the store's own. Set it when a request can name the keys it
	// stores, or the size of what it stores, so one client cannot grow its
	// session without bound.
	MaxSize int

	// CSRF configures request-forgery protection in Handler. On by default.
	CSRF CSRFOptions

	// Bind ties a session to properties of the client that created it (see
	// BindUserAgent). On a mismatch an EventBindMismatch is emitted and
	// BindPolicy applies. Default nil: no binding. Binding to the IP address
	// logs out mobile users whose address changes; User-Agent binding only
	// stops the crudest cookie theft.
	Bind func(r *http.Request) string

	// BindPolicy says what a binding mismatch does. Default BindLog.
	// BindDestroy without Bind is an error: no session is bound, so none
	// would ever be destroyed.
	BindPolicy BindPolicy

	// Guessing reports clients that present many unknown session IDs.
	Guessing GuessingOptions

	// ErrorHandler answers a request whose session could not be loaded or
	// committed. The handler's own response is discarded, so a failing store
	// never lets a request through with the wrong identity. What the
	// request stored before the commit failed stands: when it ended the
	// session or stored it under a new ID (Destroy, or a Save or Increment
	// after Login or Renew), the answer still carries the session cookie's
	// Set-Cookie line, and is sent with Cache-Control: no-store whatever
	// ErrorHandler sets. Default
	// DefaultErrorHandler: 503 for ErrStoreUnavailable and context errors,
	// 413 for ErrTooLarge, 429 for ErrCreationBlocked, 500 otherwise, as a
	// plain text body without details.
	ErrorHandler func(w http.ResponseWriter, r *http.Request, err error)

	// OnEvent receives lifecycle and security events. Default none; errors,
	// binding mismatches and guessing are logged to Logger regardless.
	OnEvent func(ctx context.Context, e Event)

	// OnStore receives the latency and outcome of every store call, for
	// metrics. Default none.
	OnStore func(op string, d time.Duration, err error)

	// Logger receives store errors and security anomalies. Session IDs never
	// appear in it; sessions are named by a prefix of their store key.
	// Store errors are logged at slog.LevelError, except a store call cut
	// short because the request's context was cancelled (the client went
	// away), which is a warning; anomalies are warnings. Default
	// slog.Default().
	Logger *slog.Logger

	// Now is the clock. Default time.Now. Tests inject a fake one, and give
	// it to a store that keeps its own (memory.Options.Now) too: a store
	// judges a record's expiry by its clock, and one far from the
	// manager's finds live sessions expired, or the other way round.
	Now func() time.Time

	// Rand is the source of session IDs and CSRF secrets. Default
	// crypto/rand.Reader. A failing source means no session is issued.
	// Requests read it concurrently, so it must be safe for concurrent use.
	Rand io.Reader
}

// SecureMode decides the session cookie's Secure attribute.
type SecureMode int

const (
	// SecureAlways sets Secure on every session cookie. The default.
	SecureAlways SecureMode = iota
	// SecureIfTLS sets Secure when the request arrived over TLS (r.TLS != nil).
	// Needs Options.AllowInsecure.
	SecureIfTLS
	// SecureNever never sets Secure. Needs Options.AllowInsecure.
	SecureNever
)

// LimitPolicy is what Login does when a user is at Options.MaxPerUser.
type LimitPolicy int

const (
	// EvictOldest destroys the user's oldest sessions to make room.
	EvictOldest LimitPolicy = iota
	// LimitReject refuses the login with ErrTooManySessions.
	LimitReject
)

// BindPolicy is what a binding mismatch does.
type BindPolicy int

const (
	// BindLog emits EventBindMismatch, logs it to Options.Logger and keeps
	// the session. The default.
	BindLog BindPolicy = iota
	// BindDestroy emits the event and destroys the session: the request
	// continues anonymous and the stolen ID is dead.
	BindDestroy
)
