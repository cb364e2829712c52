package sessions

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/textproto"
	"reflect"
	"slices"
	"time"

	"github.com/sessionkit/sessions/internal/clock"
)

// Manager issues, loads and commits sessions. Create one per application
// with New or NewManager and share it; it is safe for concurrent use.
type Manager struct {
	store  Store
	users  UserIndex   // nil when the store has no user index
	client ClientStore // non-nil when the session lives in the cookie
	closer io.Closer   // the store, when the manager opened it
	opts   Options
	cookie cookiePolicy
	csrf   *csrfGuard
	guess  *guessCounter
	log    *slog.Logger
	now    func() time.Time
	nano   func() int64 // now in Unix nanoseconds, for the request path
	wall   clock.Wall
	rand   io.Reader
	ctxKey *int
}

const (
	defaultIdle        = 30 * time.Minute
	defaultLifetime    = 12 * time.Hour
	defaultRotateGrace = 30 * time.Second
	maxRotateGrace     = 60 * time.Second
	// maxTimeout caps IdleTimeout and Lifetime: 100 years, "no limit" in
	// practice (math.MaxInt64 is a common way to say so).
	maxTimeout = 100 * 365 * 24 * time.Hour
)

// New is the short constructor: a manager on the registered store name (see
// Register) with the given cookie name and idle timeout, every other option
// at its default.
//
//	import _ "github.com/sessionkit/sessions/stores/memory"
//	var sess = sessions.New("memory", "sid", 60*time.Minute)
//
// The absolute lifetime is the default 12 hours, or expiration if that is
// longer. An empty cookieName is DefaultCookieName, and a zero expiration
// the default idle timeout (30 minutes); an expiration under a second,
// negative ones included, is invalid. New panics if the store is not
// registered or the options are invalid, naming the registered stores; use
// Open for an error instead.
func New(store, cookieName string, expiration time.Duration) *Manager {
	m, err := Open(store, Options{CookieName: cookieName, IdleTimeout: expiration, Lifetime: max(expiration, defaultLifetime)})
	if err != nil {
		panic(err)
	}
	return m
}

// Open is New with full options and an error instead of a panic. The
// manager closes the store it opened on Close.
func Open(store string, opts Options) (*Manager, error) {
	s, err := openRegistered(store)
	if err != nil {
		return nil, err
	}
	m, err := NewManager(s, opts)
	if err != nil {
		if c, ok := s.(io.Closer); ok {
			c.Close()
		}
		return nil, err
	}
	m.closer, _ = s.(io.Closer)
	return m, nil
}

// NewManager returns a manager on store. Invalid options are an error
// wrapping ErrConfig that names the field to fix; so is a nil store, or a
// nil pointer in store or Options.Rand.
func NewManager(store Store, opts Options) (*Manager, error) {
	if store == nil {
		return nil, fmt.Errorf("%w: nil store", ErrConfig)
	}
	if isNilPointer(store) {
		return nil, fmt.Errorf("%w: the store is a nil %T; pass the store its constructor returned", ErrConfig, store)
	}
	if opts.Rand != nil && isNilPointer(opts.Rand) {
		return nil, fmt.Errorf("%w: Options.Rand is a nil %T; leave Rand nil for crypto/rand.Reader", ErrConfig, opts.Rand)
	}
	cp, err := newCookiePolicy(&opts)
	if err != nil {
		return nil, err
	}
	o := opts
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"IdleTimeout", o.IdleTimeout}, {"Lifetime", o.Lifetime}, {"TouchInterval", o.TouchInterval},
		{"RotateAfter", o.RotateAfter}, {"RotateGrace", o.RotateGrace}, {"Guessing.Window", o.Guessing.Window},
	} {
		if d.v < 0 {
			return nil, fmt.Errorf("%w: Options.%s %v is negative; leave it zero for the default", ErrConfig, d.name, d.v)
		}
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"IdleTimeout", o.IdleTimeout}, {"Lifetime", o.Lifetime}, {"RotateAfter", o.RotateAfter},
		{"RotateGrace", o.RotateGrace}, {"Guessing.Window", o.Guessing.Window},
	} {
		if d.v > 0 && d.v < time.Second {
			return nil, fmt.Errorf("%w: Options.%s %v is under a second; a time.Duration counts nanoseconds: write 30*time.Minute, not 30", ErrConfig, d.name, d.v)
		}
	}
	switch {
	case o.MaxPerUser < 0:
		return nil, fmt.Errorf("%w: Options.MaxPerUser %d is negative; leave it zero for no cap", ErrConfig, o.MaxPerUser)
	case o.MaxSize < 0:
		return nil, fmt.Errorf("%w: Options.MaxSize %d is negative; leave it zero for no cap", ErrConfig, o.MaxSize)
	case o.LimitPolicy != EvictOldest && o.LimitPolicy != LimitReject:
		return nil, fmt.Errorf("%w: Options.LimitPolicy has unknown value %d", ErrConfig, o.LimitPolicy)
	case o.BindPolicy != BindLog && o.BindPolicy != BindDestroy:
		return nil, fmt.Errorf("%w: Options.BindPolicy has unknown value %d", ErrConfig, o.BindPolicy)
	case o.Guessing.Threshold < 0:
		return nil, fmt.Errorf("%w: Options.Guessing.Threshold %d is negative; leave it zero to turn counting off", ErrConfig, o.Guessing.Threshold)
	case slices.Contains(o.Guessing.TrustedProxies, nil):
		return nil, fmt.Errorf("%w: Options.Guessing.TrustedProxies holds a nil network", ErrConfig)
	// A policy without the option it qualifies never applies, while the
	// application believes it does.
	case o.BindPolicy == BindDestroy && o.Bind == nil:
		return nil, fmt.Errorf("%w: Options.BindPolicy BindDestroy is set without Options.Bind: no session is bound, so none is ever destroyed for a mismatch; set Bind (sessions.BindUserAgent, say), or leave BindPolicy zero", ErrConfig)
	case o.Guessing.BlockCreation && o.Guessing.Threshold == 0:
		return nil, fmt.Errorf("%w: Options.Guessing.BlockCreation is set without Guessing.Threshold: counting is off, so no client is ever blocked; set Threshold, or leave BlockCreation false", ErrConfig)
	case o.LimitPolicy == LimitReject && o.MaxPerUser == 0:
		return nil, fmt.Errorf("%w: Options.LimitPolicy LimitReject is set without Options.MaxPerUser: there is no cap to refuse logins at; set MaxPerUser, or leave LimitPolicy zero", ErrConfig)
	}
	// A copy, so the caller's slice can change no login; each key once, so
	// a login's record holds each key once.
	o.KeepOnLogin = slices.Compact(slices.Sorted(slices.Values(o.KeepOnLogin)))
	if o.IdleTimeout == 0 {
		o.IdleTimeout = defaultIdle
	}
	if o.Lifetime == 0 {
		o.Lifetime = defaultLifetime
	}
	// Deadlines are Unix nanoseconds plus a timeout: past maxTimeout the
	// sum would overflow and every session would be born expired.
	o.IdleTimeout, o.Lifetime = min(o.IdleTimeout, maxTimeout), min(o.Lifetime, maxTimeout)
	// Lifetime ends every session first: a longer idle timeout set by the
	// caller never applies, and the sessions it promises are cut off at
	// Lifetime. (The default idle timeout over a short Lifetime is no
	// promise, and stays.)
	if opts.IdleTimeout != 0 && o.IdleTimeout > o.Lifetime {
		return nil, fmt.Errorf("%w: Options.IdleTimeout %v is longer than Lifetime %v (12h when left zero): every session ends at Lifetime however active, so the idle timeout never applies; set Lifetime to at least IdleTimeout, or shorten IdleTimeout", ErrConfig, o.IdleTimeout, o.Lifetime)
	}
	// Under a second TouchInterval is a unit mistake (TouchInterval: 30 is
	// 30 ns, a write on every read-only request), unless the idle timeout
	// is so short that its default is under a second too.
	if floor := min(time.Second, o.IdleTimeout/10); o.TouchInterval > 0 && o.TouchInterval < floor {
		return nil, fmt.Errorf("%w: Options.TouchInterval %v is under %v; a time.Duration counts nanoseconds: write 30*time.Second, not 30; or leave it zero for IdleTimeout/10", ErrConfig, o.TouchInterval, floor)
	}
	if o.TouchInterval == 0 {
		o.TouchInterval = min(o.IdleTimeout/10, time.Minute)
	}
	// The recorded activity lags up to TouchInterval behind the last
	// request, so a session idle for IdleTimeout-TouchInterval can expire:
	// at most half the idle timeout keeps one used every IdleTimeout/2 alive.
	if o.TouchInterval > o.IdleTimeout/2 {
		return nil, fmt.Errorf("%w: Options.TouchInterval %v is over half of IdleTimeout %v: a session read every %v could expire while in use; leave TouchInterval zero for IdleTimeout/10", ErrConfig, o.TouchInterval, o.IdleTimeout, o.IdleTimeout/2)
	}
	if o.RotateAfter >= o.Lifetime {
		return nil, fmt.Errorf("%w: Options.RotateAfter %v is not shorter than Lifetime %v: no session lives long enough to be rotated; shorten RotateAfter, or leave it zero for no rotation", ErrConfig, o.RotateAfter, o.Lifetime)
	}
	if o.RotateGrace > 0 && o.RotateAfter == 0 {
		return nil, fmt.Errorf("%w: Options.RotateGrace %v is set without RotateAfter: IDs are never rotated, so there is no grace to give; set RotateAfter to turn rotation on, or leave RotateGrace zero", ErrConfig, o.RotateGrace)
	}
	if o.RotateGrace == 0 {
		o.RotateGrace = defaultRotateGrace
	}
	if o.RotateGrace > maxRotateGrace {
		return nil, fmt.Errorf("%w: Options.RotateGrace %v is over the %v limit; a replaced ID must die soon", ErrConfig, o.RotateGrace, maxRotateGrace)
	}
	// A grace alias leads one step: an ID rotated again within the grace
	// of the one it replaced would strand that one's in-flight requests.
	if o.RotateAfter > 0 && o.RotateAfter <= o.RotateGrace {
		return nil, fmt.Errorf("%w: Options.RotateAfter %v is not longer than RotateGrace %v (%v when left zero): an ID would be rotated again while the one it replaced is still in its grace; lengthen RotateAfter or shorten RotateGrace", ErrConfig, o.RotateAfter, o.RotateGrace, defaultRotateGrace)
	}
	if o.ErrorHandler == nil {
		o.ErrorHandler = DefaultErrorHandler
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	defaultClock := o.Now == nil
	if defaultClock {
		o.Now = time.Now
	}
	if o.Rand == nil {
		o.Rand = rand.Reader
	}
	csrf, err := newCSRFGuard(o.CSRF)
	if err != nil {
		return nil, err
	}
	m := &Manager{
		store:  store,
		opts:   o,
		cookie: cp,
		csrf:   csrf,
		log:    o.Logger,
		now:    o.Now,
		rand:   o.Rand,
		ctxKey: new(int),
	}
	if defaultClock {
		m.nano = m.wall.Now
	} else {
		now := o.Now
		m.nano = func() int64 { return now().UnixNano() }
	}
	m.users, _ = store.(UserIndex)
	m.client, _ = store.(ClientStore)
	if o.MaxPerUser > 0 && m.users == nil {
		return nil, fmt.Errorf("%w: Options.MaxPerUser needs a store with a user index", ErrConfig)
	}
	if o.Guessing.Threshold > 0 {
		m.guess = newGuessCounter(o.Guessing)
	}
	return m, nil
}

// isNilPointer reports whether v, a non-nil interface value, holds a nil
// pointer or func: a store or reader never assigned, whose first method
// call would panic in a request rather than fail here.
func isNilPointer(v any) bool {
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Pointer, reflect.Func:
		return rv.IsNil()
	}
	return false
}

// Store returns the manager's store.
func (m *Manager) Store() Store { return m.store }

// CookieName returns the session cookie's name.
func (m *Manager) CookieName() string { return m.cookie.name }

// OwnsCookie reports whether the Set-Cookie line sets or clears the
// session cookie: one with its name, Path and Domain, which together make
// the cookie a browser replaces. A line for the name at another Path or
// Domain (an application expiring a cookie left from an earlier setting)
// is another cookie. The line is read as net/http sends it, trimmed of
// spaces. Framework adapters use it to treat a response's Set-Cookie
// lines as Handler does.
func (m *Manager) OwnsCookie(line string) bool {
	_, ok := m.cookie.owns(textproto.TrimString(line))
	return ok
}

// Close closes the store if the manager opened it (through New or Open).
func (m *Manager) Close() error {
	if m.closer != nil {
		return m.closer.Close()
	}
	return nil
}

// Start returns the request's session. Inside Handler it is the session the
// middleware prepared, and changes are committed once before the response's
// first byte. Without the middleware each change is written to the store at
// once, and the cookie is set on w, so call Start and change the session
// before writing the body. Nothing touches the store until the session is
// first used. Without the middleware, a Start after another in the same
// request goes by the session cookie already set or expired on w, if any,
// rather than the request's: after Destroy it gets a fresh session, and
// after a new session was saved it continues that one. A Session started
// earlier in the request follows such a change (a new, renewed, logged-in
// or destroyed session; with the cookie store, any change, since the
// cookie is the session) the next time it is used.
func (m *Manager) Start(w http.ResponseWriter, r *http.Request) *Session {
	if s, ok := r.Context().Value(m.ctxKey).(*Session); ok {
		return s
	}
	s := &Session{m: m, r: r, meta: &noMeta, writeThrough: true}
	s.rw.ResponseWriter = w
	return s
}

// FromContext returns the session Handler placed in ctx, or nil.
func (m *Manager) FromContext(ctx context.Context) *Session {
	s, _ := ctx.Value(m.ctxKey).(*Session)
	return s
}

// Destroy ends the request's session: its record is deleted from the store
// and the cookie expired. Inside Handler it takes effect at commit (at once
// if the response has started: the record is deleted, the cookie stays and
// names nothing); a later Start in the same request gets a fresh session.
func (m *Manager) Destroy(w http.ResponseWriter, r *http.Request) {
	s := m.Start(w, r)
	s.Destroy()
}

// UserSessions lists user's live sessions, oldest first. Info.Key is the
// public handle Session.ID returns. On a store without a user index it
// returns an error wrapping ErrNotSupported, as DestroyUserSessions does.
func (m *Manager) UserSessions(ctx context.Context, user string) ([]Info, error) {
	if m.users == nil {
		return nil, m.noUserIndex("UserSessions")
	}
	start := m.storeStart()
	list, err := m.users.UserSessions(ctx, user)
	m.observe("user_sessions", start, err)
	if err != nil {
		return nil, err
	}
	now := m.now().UnixNano()
	return slices.DeleteFunc(list, func(in Info) bool { return m.expiry(&in.Meta, now) != 0 }), nil
}

// DestroyUserSessions destroys every session of user except the one whose
// handle is except (pass "" to destroy all: "log out everywhere"). It
// reports how many it destroyed, and emits one EventDestroyed naming the
// user (with no Handle) when it destroyed any.
//
// A session whose ID a parallel request renews while the store deletes the
// user's sessions lives on under a key the store did not list. So the
// user's sessions are listed again afterwards, and deleted again while any
// but except remain, a few rounds at most. An except whose ID an automatic
// rotation replaced after the caller took it (the current request's
// Session.ID, while a parallel request rotated it) spares the session
// under its new ID, within the rotation's grace (with a store that reports
// grace aliases; see ReportAlias).
//
// An except that is not a handle (a raw session ID or cookie value passed
// by mistake, which would spare nothing and end the caller's own session
// too) is an error, and nothing is destroyed.
func (m *Manager) DestroyUserSessions(ctx context.Context, user, except string) (int, error) {
	if m.users == nil {
		return 0, m.noUserIndex("DestroyUserSessions")
	}
	if except != "" && !ValidKey(except) {
		// Not quoted: a raw session ID is a secret, and errors get logged.
		return 0, fmt.Errorf("sessions: DestroyUserSessions: except (%d bytes) is not a session handle, the 64 hex digits Session.ID returns; pass the Session.ID() of the session to keep, or \"\" to end them all", len(except))
	}
	total := 0
	var err error
	for range destroyRounds {
		if except != "" && ValidKey(except) {
			// An except that cannot be read (a corrupt record) has no
			// alias to follow; its user's other sessions are destroyed
			// all the same.
			var at string
			if _, _, at, err = m.loadAliased(ctx, except); err != nil && !errors.Is(err, ErrCorrupt) {
				break
			}
			if at != "" {
				except = at
			}
		}
		start := m.storeStart()
		var n int
		n, err = m.users.DeleteUserSessions(ctx, user, except)
		m.observe("delete_user_sessions", start, err)
		total += n
		if err != nil {
			break
		}
		var left []Info
		if left, err = m.UserSessions(ctx, user); err != nil {
			break
		}
		if !slices.ContainsFunc(left, func(in Info) bool { return in.Key != except }) {
			break
		}
	}
	if total > 0 {
		m.emit(nil, EventDestroyed, "", user, nil)
	}
	return total, err
}

// noUserIndex is the error of a call that needs the store's user index on
// a store without one: ErrNotSupported, naming the call and what it needs.
func (m *Manager) noUserIndex(op string) error {
	if m.client != nil {
		return fmt.Errorf("%w: %s: the cookie store keeps each session in its client's cookie, with no user index (sessions.UserIndex) to find a user's sessions by; use a server-side store (memory, Redis, PostgreSQL, bbolt) where this matters", ErrNotSupported, op)
	}
	return fmt.Errorf("%w: %s needs a store with a user index (sessions.UserIndex), as the memory, Redis, PostgreSQL and bbolt stores have; %T has none", ErrNotSupported, op, m.store)
}

// destroyRounds is how many times DestroyUserSessions deletes a user's
// sessions while renewed ones keep turning up.
const destroyRounds = 4

// DestroySession destroys the session with the given handle if it belongs
// to user, and reports whether it did. The ownership check makes it safe to
// call with a handle taken from a request. A handle listed before the
// session's ID was rotated, and still within the rotation's grace, destroys
// the session under its new ID (with a store that reports grace aliases; see
// ReportAlias). A session whose client's parallel request renews its ID
// (Renew or Login, which leave no grace alias) before this call ends it
// lives on under an ID the handle no longer reaches: DestroySession then
// reports false, and a caller that must end it lists the user's sessions
// again. It emits EventDestroyed.
//
// With a ClientStore (the cookie store) it returns false and an error
// wrapping ErrNotSupported: the session lives in its client's cookie, which
// no other request can end.
func (m *Manager) DestroySession(ctx context.Context, user, handle string) (bool, error) {
	if m.client != nil {
		return false, fmt.Errorf("%w: DestroySession: the session lives in its client's cookie, which the server cannot end; the cookie store has no revocation (Destroy or Logout in the client's own request expires its cookie)", ErrNotSupported)
	}
	if !ValidKey(handle) {
		return false, nil
	}
	key, found, err := m.endUserSession(ctx, user, handle)
	if found {
		m.emit(nil, EventDestroyed, key, user, nil)
	}
	return found, err
}

// endUserSession ends user's session under handle, or where handle's grace
// alias leads: found is false when handle names no live session of user.
// It returns the key the session ended under, for the EventDestroyed its
// caller emits.
func (m *Manager) endUserSession(ctx context.Context, user, handle string) (key string, found bool, err error) {
	rec, found, at, err := m.loadAliased(ctx, handle)
	if err != nil || !found || rec.User != user || user == "" {
		return "", false, err
	}
	// End the session before deleting it. A rotation racing this call may
	// have renamed the session since the load, leaving handle a grace alias
	// the load did not see, which the expiring commit follows. A Renew or
	// Login racing it leaves no alias: handle then names nothing, and the
	// session lives on under a key this call cannot know, so it reports
	// that it destroyed nothing. Once expired, the record is one no
	// parallel renewal can move any more (Store.Rename moves only a live
	// record), so a true here is a session that is gone.
	if found, err := m.expire(ctx, handle, m.nano()); err != nil || !found {
		return "", false, err
	}
	// Through a grace alias, end the session where it lives now, then the
	// alias: deleting the alias alone would leave the session running.
	keys := []string{handle}
	if at != "" {
		keys = []string{at, handle}
	}
	for _, k := range keys {
		start := m.storeStart()
		err = m.store.Delete(ctx, k)
		m.observe("delete", start, err)
		if err != nil {
			return "", false, err
		}
	}
	return keys[0], true, nil
}

// expire empties the session under key, or the one key's grace alias
// leads to, and marks it expired expireMargin before now. found is false
// when key names neither a live record nor a live alias (ErrNotFound from
// Commit).
func (m *Manager) expire(ctx context.Context, key string, now int64) (found bool, err error) {
	start := m.storeStart()
	err = m.store.Commit(ctx, key, &Delta{Clear: true, Meta: &Meta{Expires: now - int64(expireMargin)}})
	m.observe("commit", start, err)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// expireMargin is how far in the past expire sets a session's deadline. A
// store judges expiry by its own clock, which may read a little behind the
// manager's (a clock anchored at another moment, across a step of the wall
// clock; another process); a deadline of exactly the manager's now would
// leave the record live, and renamable, for that difference.
const expireMargin = time.Second

// DefaultErrorHandler answers a session failure: 503 when the store is
// unavailable or the request's context ended, 413 when the request would
// have made the session too large (ErrTooLarge: Options.MaxSize, a value
// over the store's limit, a cookie store's cookie), 429 when guessing
// detection refused the client a new session (ErrCreationBlocked), 500
// otherwise. The body
// is the status text; details go to the log, never to the client.
func DefaultErrorHandler(w http.ResponseWriter, r *http.Request, err error) {
	code := http.StatusInternalServerError
	switch {
	case errors.Is(err, ErrStoreUnavailable) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled):
		code = http.StatusServiceUnavailable
	case errors.Is(err, ErrTooLarge):
		code = http.StatusRequestEntityTooLarge
	case errors.Is(err, ErrCreationBlocked):
		code = http.StatusTooManyRequests
	}
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	http.Error(w, http.StatusText(code), code)
}

// storeStart is the start time observe measures a store call from. Without
// an OnStore hook nothing is measured, so it spares the clock read.
func (m *Manager) storeStart() time.Time {
	if m.opts.OnStore == nil {
		return time.Time{}
	}
	return m.now()
}

// observe reports a store call's latency and outcome.
func (m *Manager) observe(op string, start time.Time, err error) {
	if m.opts.OnStore != nil {
		m.opts.OnStore(op, m.now().Sub(start), err)
	}
}

// expiry reports whether meta has passed its idle timeout or absolute
// lifetime at now: 0 when live, else the event kind.
func (m *Manager) expiry(meta *Meta, now int64) EventKind {
	if now-meta.Created >= int64(m.opts.Lifetime) {
		return EventExpiredAbsolute
	}
	if now-meta.LastSeen >= int64(m.opts.IdleTimeout) {
		return EventExpiredIdle
	}
	return 0
}

// deadline is when a session with meta expires: the earlier of the idle and
// absolute deadlines.
func (m *Manager) deadline(meta *Meta) int64 {
	return min(meta.LastSeen+int64(m.opts.IdleTimeout), meta.Created+int64(m.opts.Lifetime))
}
