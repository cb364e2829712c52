package sessions

import "errors"

// Sentinel errors. Stores and the manager wrap them with %w; test for them with
// errors.Is.
var (
	// ErrNotFound reports that a store holds no live record under the key. Load
	// reports this as found == false instead; Commit, Increment and Rename return
	// it so that a destroyed or renewed session is never written back to life.
	ErrNotFound = errors.New("sessions: session not found (it expired, was destroyed or was renewed); start a new one")

	// ErrExists reports that Create or Rename found the key already taken. The
	// manager answers it by drawing a new ID.
	ErrExists = errors.New("sessions: key already exists; draw a new session ID")

	// ErrStoreUnavailable marks a store that cannot be reached (connection refused,
	// timeout, closed pool). The default error handler answers it with 503.
	ErrStoreUnavailable = errors.New("sessions: store unavailable; check the store's server and network, requests resume when it returns")

	// ErrCorrupt reports a stored record or cookie that cannot be decoded: wrong
	// format version, truncated, tampered or oversized. The manager answers it
	// with a fresh session and an EventCorrupt hook call.
	ErrCorrupt = errors.New("sessions: corrupt session record")

	// ErrUnsupportedValue reports a value the codec cannot encode for a store
	// that encodes values (Redis, PostgreSQL, bbolt, the cookie store), or
	// under Options.MaxSize, which counts each value's encoding. The change
	// is refused as one over the size cap is (see ErrTooLarge), reported as
	// an EventUnsupportedValue, not a store failure. Store strings, numbers,
	// bools, []byte, time.Time, time.Duration, []string, []any,
	// map[string]any, or any type encoding/json can marshal without change:
	// its strings must be valid UTF-8 (keep other bytes in a []byte).
	ErrUnsupportedValue = errors.New("sessions: value type cannot be stored")

	// ErrTooLarge reports a value, record or cookie over the configured size
	// limit. Store less in the session, or keep large data elsewhere and put its
	// key in the session. The change is refused before anything is stored,
	// and the session stays usable (see Session.Save and Session.Err).
	ErrTooLarge = errors.New("sessions: session data too large")

	// ErrNotInteger reports an Increment on a key that holds something other than
	// an integer.
	ErrNotInteger = errors.New("sessions: value is not an integer; Increment only counts integer values")

	// ErrNotSupported reports an operation the configured store does not offer,
	// such as listing a user's sessions on a store without a user index.
	ErrNotSupported = errors.New("sessions: operation not supported by this store")

	// ErrTooManySessions reports a login refused because the user already has
	// Options.MaxPerUser sessions and the policy is LimitReject.
	ErrTooManySessions = errors.New("sessions: too many sessions for this user; log out elsewhere or raise Options.MaxPerUser")

	// ErrDestroyed is returned by no function of this package. A session
	// destroyed earlier in the same request is empty and unsaved, and a value
	// stored in it starts a new session with a new ID (see Session.Destroy).
	// It is kept so that code which tests for it still compiles.
	ErrDestroyed = errors.New("sessions: session was destroyed")

	// ErrResponseStarted reports a change that needs a new session cookie
	// (a new session, Login, Renew) made under Handler after the response
	// began, when the cookie can no longer be sent; and, with the cookie
	// store, any change made then. Make such changes before writing the
	// response, or call Save first.
	ErrResponseStarted = errors.New("sessions: the response has started, so the session cookie cannot change; log in, renew or start the session before writing the response")

	// ErrCreationBlocked reports a new session refused to a client that
	// presented GuessingOptions.Threshold unknown session IDs or more in
	// the window, with GuessingOptions.BlockCreation set (Session.Increment,
	// which has no count to return without a stored session, and a Login,
	// which the client must not take for stored, say so; other writes
	// leave the session unsaved without an error). The client gets a
	// session again once the counting window ends. DefaultErrorHandler
	// answers it with 429.
	ErrCreationBlocked = errors.New("sessions: no new session for this client: it presented too many unknown session IDs (GuessingOptions.BlockCreation); retry after GuessingOptions.Window")

	// ErrConfig reports invalid Options. The message names the field to fix.
	ErrConfig = errors.New("sessions: invalid configuration")

	// ErrRandom reports that crypto/rand failed; no session is issued.
	ErrRandom = errors.New("sessions: random source failed; no session issued")
)
