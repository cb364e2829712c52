package redis

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sessionkit/sessions"
)

// DefaultPrefix starts every key when Options.Prefix is empty.
const DefaultPrefix = "sess:"

// DefaultIndexSlack is Options.IndexSlack when it is zero.
const DefaultIndexSlack = 24 * time.Hour

// Options configures a Store. The zero value is the default configuration.
type Options struct {
	// Prefix starts every key the store writes, so several applications can
	// share one Redis. Default DefaultPrefix ("sess:"). It must not contain
	// '{' or '}', which would break the cluster hash tags.
	Prefix string

	// Cluster forces the cluster-safe protocol, in which every script touches
	// the keys of one hash slot. Default false: the protocol follows the
	// client's type. A *redis.Client (one server, or a Sentinel-managed
	// primary) gets the single-node protocol, which makes Rename one atomic
	// script; any other client (*redis.ClusterClient, *redis.Ring, a wrapper
	// type) gets the cluster-safe one. Set it when a *redis.Client talks to a
	// proxy that shards keys (Envoy, twemproxy, a managed "cluster behind one
	// endpoint"), or to a server that refuses keys a script did not declare.
	Cluster bool

	// IndexSlack matters in the cluster-safe protocol only. There a user's
	// index lives in another slot than the user's sessions, so an ordinary
	// Commit that moves a session's expiry cannot extend the index in the
	// same round trip. Instead each index entry is kept alive until the
	// session's expiry plus IndexSlack, and only a Commit that pushes the
	// expiry past that point spends a second command on the index: at most
	// one per IndexSlack of activity. A larger slack means fewer second
	// commands and index keys that outlive their last session longer.
	// Default DefaultIndexSlack (24h).
	IndexSlack time.Duration

	// MaxValueSize caps the encoded size of one session value. A larger value
	// makes Create or Commit fail with sessions.ErrTooLarge; a larger value
	// found in Redis makes Load fail with sessions.ErrCorrupt. It must be at
	// least 20, the longest count Increment writes (one it counts to must
	// load again). Default sessions.DefaultMaxRecordSize (1 MiB).
	MaxValueSize int
}

// minValueSize is the least Options.MaxValueSize: the length of the
// longest count Increment writes, math.MinInt64 in decimal.
const minValueSize = len("-9223372036854775808")

// Store is a sessions.Store and sessions.UserIndex on Redis. It is safe for
// concurrent use. See the package documentation for the key layout.
type Store struct {
	c        redis.UniversalClient
	prefix   string
	sharded  bool
	slackMS  int64
	maxValue int

	owned     bool // Close closes c
	closeOnce sync.Once
	closeErr  error
}

var (
	_ sessions.Store     = (*Store)(nil)
	_ sessions.UserIndex = (*Store)(nil)
	_ sessions.Counter   = (*Store)(nil)
)

// New returns a store on client with the default Options. It panics if
// client is nil. The caller keeps ownership of client: Close does not close
// it.
func New(client redis.UniversalClient) *Store {
	s, err := NewWithOptions(client, Options{})
	if err != nil {
		panic(err)
	}
	return s
}

// NewWithOptions returns a store on client configured by o. It fails with an
// error wrapping sessions.ErrConfig when client is nil or o is invalid. The
// caller keeps ownership of client: Close does not close it.
func NewWithOptions(client redis.UniversalClient, o Options) (*Store, error) {
	if client == nil || isNilPointer(client) {
		return nil, fmt.Errorf("%w: redis store: nil client; pass a *redis.Client, *redis.ClusterClient or redis.NewUniversalClient(...)", sessions.ErrConfig)
	}
	if o.Prefix == "" {
		o.Prefix = DefaultPrefix
	}
	if strings.ContainsAny(o.Prefix, "{}") {
		return nil, fmt.Errorf("%w: redis store: Options.Prefix %q contains '{' or '}', which would break cluster hash tags; choose a prefix without braces", sessions.ErrConfig, o.Prefix)
	}
	switch {
	case o.IndexSlack == 0:
		o.IndexSlack = DefaultIndexSlack
	case o.IndexSlack < time.Millisecond:
		return nil, fmt.Errorf("%w: redis store: Options.IndexSlack %v must be 0 (default %v) or at least 1ms", sessions.ErrConfig, o.IndexSlack, DefaultIndexSlack)
	}
	switch {
	case o.MaxValueSize == 0:
		o.MaxValueSize = sessions.DefaultMaxRecordSize
	case o.MaxValueSize < 0:
		return nil, fmt.Errorf("%w: redis store: Options.MaxValueSize %d is negative; use 0 for the default", sessions.ErrConfig, o.MaxValueSize)
	case o.MaxValueSize < minValueSize:
		return nil, fmt.Errorf("%w: redis store: Options.MaxValueSize is %d; use at least %d, the longest count Increment writes, or 0 for the default", sessions.ErrConfig, o.MaxValueSize, minValueSize)
	}
	_, single := client.(*redis.Client)
	return &Store{
		c:        client,
		prefix:   o.Prefix,
		sharded:  o.Cluster || !single,
		slackMS:  o.IndexSlack.Milliseconds(),
		maxValue: o.MaxValueSize,
	}, nil
}

// Close closes the Redis client if the store created it (NewFromURL) and
// does nothing otherwise. It is safe to call more than once.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		if s.owned {
			s.closeErr = s.c.Close()
		}
	})
	return s.closeErr
}

// hashKey is the Redis key of the session hash under a store key. The braces
// make the store key the hash tag, so every key of one session shares a
// cluster slot.
func (s *Store) hashKey(key string) string { return s.prefix + "{" + key + "}" }

// indexKey is the Redis key of a user's index, a sorted set of store keys
// scored by the Unix ms until which each entry must be kept.
func (s *Store) indexKey(user string) string { return s.prefix + "u:{" + user + "}" }

// fail wraps an error returned by go-redis. Transport failures (refused or
// dropped connections, timeouts, a closed client, a cluster that is down or
// failing over) wrap sessions.ErrStoreUnavailable as well as the cause.
func fail(ctx context.Context, op string, err error) error {
	if errors.Is(err, context.Canceled) && ctx.Err() != nil {
		return fmt.Errorf("sessions/redis: %s: %w", op, err)
	}
	if errors.Is(err, redis.ErrClosed) {
		return closedError{op: op, err: err}
	}
	if unavailable(err) {
		return fmt.Errorf("sessions/redis: %s: %w: %w", op, sessions.ErrStoreUnavailable, err)
	}
	if redis.HasErrorPrefix(err, "WRONGTYPE") {
		return fmt.Errorf("sessions/redis: %s: %w: key holds another Redis type: %w", op, sessions.ErrCorrupt, err)
	}
	return fmt.Errorf("sessions/redis: %s: %w", op, err)
}

// closedError is what fail makes of redis.ErrClosed: the client was closed,
// by Store.Close of a store made by NewFromURL or by the caller's Close of
// the client given to New. It wraps sessions.ErrStoreUnavailable, so the
// manager answers it with 503, and the go-redis error; but its text is its
// own: the ErrStoreUnavailable text promises that requests resume when the
// store returns, and a closed client never does.
type closedError struct {
	op  string
	err error
}

func (e closedError) Error() string {
	return "sessions/redis: " + e.op + ": store unavailable: the Redis client was closed (Store.Close of a store made by redis.NewFromURL, or Close of the client given to redis.New or redis.NewWithOptions) and serves no more requests; close it after the last request, or create a new store with redis.New or redis.NewFromURL: " + e.err.Error()
}

func (e closedError) Unwrap() []error { return []error{sessions.ErrStoreUnavailable, e.err} }

// unavailable reports whether err means Redis could not be reached or could
// not serve the command right now, as opposed to an error reply about the
// command itself.
func unavailable(err error) bool {
	switch {
	case errors.Is(err, redis.ErrClosed), errors.Is(err, redis.ErrPoolTimeout), errors.Is(err, redis.ErrPoolExhausted),
		errors.Is(err, context.DeadlineExceeded), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	var re redis.Error
	if !errors.As(err, &re) {
		// Not a reply from Redis: a transport or protocol failure.
		return true
	}
	for _, p := range []string{"LOADING", "CLUSTERDOWN", "TRYAGAIN", "MASTERDOWN", "READONLY", "BUSY", "NOREPLICAS", "OOM", "MISCONF", "MOVED", "ASK"} {
		if redis.HasErrorPrefix(err, p) {
			return true
		}
	}
	return false
}

// short abbreviates a store key for error messages.
func short(key string) string {
	if len(key) > 8 {
		return key[:8] + "…"
	}
	return key
}

// reply decodes a script's status reply.
func reply(v any) (code int64, arg string, err error) {
	a, ok := v.([]any)
	if !ok || len(a) == 0 {
		return 0, "", fmt.Errorf("sessions/redis: unexpected script reply %#v", v)
	}
	code, ok = a[0].(int64)
	if !ok {
		return 0, "", fmt.Errorf("sessions/redis: unexpected script reply %#v", v)
	}
	if len(a) > 1 {
		arg, _ = a[1].(string)
	}
	return code, arg, nil
}

// cleanupCtx is for compensating writes after a failure: it survives the
// request's cancellation but not for long.
func cleanupCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), time.Second)
}

// isNilPointer reports whether client is a nil pointer in a non-nil
// interface, such as a *redis.Client variable never assigned: go-redis
// would panic on its first command.
func isNilPointer(client redis.UniversalClient) bool {
	v := reflect.ValueOf(client)
	return v.Kind() == reflect.Pointer && v.IsNil()
}
