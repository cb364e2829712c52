package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/sessionkit/sessions"
)

// Default option values, used where the corresponding Options field is zero.
const (
	DefaultTable           = "sessions"
	DefaultCleanupInterval = 5 * time.Minute
	DefaultCleanupBatch    = 500
	DefaultMaxValueSize    = sessions.DefaultMaxRecordSize
)

// minValueSize is the least Options.MaxValueSize: the length of the
// longest count Increment writes, math.MinInt64 in decimal.
const minValueSize = len("-9223372036854775808")

// Options configures a Store. The zero value is ready to use; every field's
// zero value means its default.
type Options struct {
	// Table names the sessions table; the values and aliases tables and the
	// indexes take it as their prefix (Table+"_values", Table+"_aliases").
	// Lowercase letters, digits and underscores only. Default "sessions".
	Table string

	// NoMigrate stops New from creating the tables. Set it when your team
	// applies Schema (or SchemaFor) with its own migration tool. Default
	// false: New runs Migrate.
	NoMigrate bool

	// CleanupInterval is how often the background cleaner deletes expired
	// sessions and rename aliases. Default five minutes. A negative value
	// disables the cleaner (run Cleanup from a job instead); expired rows
	// are never served either way.
	CleanupInterval time.Duration

	// CleanupBatch is how many rows the cleaner deletes per statement, so
	// that it never holds many row locks or a long transaction. Default 500.
	CleanupBatch int

	// MaxValueSize caps one encoded session value in bytes. Writes over it
	// fail with sessions.ErrTooLarge; stored values over it are refused as
	// corrupt when loaded. It must be at least 20, the longest count
	// Increment writes (one it counts to must load again). Default
	// sessions.DefaultMaxRecordSize (1 MiB).
	MaxValueSize int

	// Logger receives errors from the background cleaner, which has no
	// caller to return them to. Default slog.Default().
	Logger *slog.Logger
}

func (o Options) withDefaults() (Options, error) {
	if o.Table == "" {
		o.Table = DefaultTable
	}
	if err := checkTable(o.Table); err != nil {
		return o, fmt.Errorf("%w: %w", sessions.ErrConfig, err)
	}
	if o.CleanupInterval == 0 {
		o.CleanupInterval = DefaultCleanupInterval
	}
	switch {
	case o.CleanupBatch == 0:
		o.CleanupBatch = DefaultCleanupBatch
	case o.CleanupBatch < 0:
		return o, fmt.Errorf("%w: postgres: Options.CleanupBatch is %d; use a positive batch size or 0 for the default (%d)",
			sessions.ErrConfig, o.CleanupBatch, DefaultCleanupBatch)
	}
	switch {
	case o.MaxValueSize == 0:
		o.MaxValueSize = DefaultMaxValueSize
	case o.MaxValueSize < 0:
		return o, fmt.Errorf("%w: postgres: Options.MaxValueSize is %d; use a positive size or 0 for the default (%d)",
			sessions.ErrConfig, o.MaxValueSize, DefaultMaxValueSize)
	case o.MaxValueSize < minValueSize:
		return o, fmt.Errorf("%w: postgres: Options.MaxValueSize is %d; use at least %d, the longest count Increment writes, or 0 for the default (%d)",
			sessions.ErrConfig, o.MaxValueSize, minValueSize, DefaultMaxValueSize)
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o, nil
}

// Store is a sessions.Store and sessions.UserIndex kept in PostgreSQL. It is
// safe for use by many goroutines and by many application instances
// sharing one database.
type Store struct {
	pool    *pgxpool.Pool
	table   string
	q       queries
	batch   int
	maxSize int
	log     *slog.Logger

	closed    atomic.Bool
	closeOnce sync.Once
	stop      chan struct{} // closed by Close; created before the cleaner starts
	stopCtx   context.Context
	cancel    context.CancelFunc
	done      chan struct{} // closed when the cleaner has exited
}

var (
	_ sessions.Store     = (*Store)(nil)
	_ sessions.UserIndex = (*Store)(nil)
	_ sessions.Counter   = (*Store)(nil)
)

// New returns a Store that keeps sessions in the database pool connects to.
// Unless opts.NoMigrate is set it first creates the tables (Migrate), so a
// database that cannot be reached fails here rather than at the first
// request. The pool stays the caller's: Close stops the store's cleaner
// but leaves the pool open.
func New(ctx context.Context, pool *pgxpool.Pool, opts Options) (*Store, error) {
	if pool == nil {
		return nil, fmt.Errorf("%w: postgres: New needs a *pgxpool.Pool; create one with pgxpool.New(ctx, databaseURL)", sessions.ErrConfig)
	}
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &Store{
		pool:    pool,
		table:   opts.Table,
		q:       buildQueries(opts.Table),
		batch:   opts.CleanupBatch,
		maxSize: opts.MaxValueSize,
		log:     opts.Logger,
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
	}
	if !opts.NoMigrate {
		if err := s.Migrate(ctx); err != nil {
			return nil, err
		}
	}
	s.stopCtx, s.cancel = context.WithCancel(context.Background())
	if opts.CleanupInterval > 0 {
		go s.clean(opts.CleanupInterval)
	} else {
		close(s.done)
	}
	return s, nil
}

// Migrate creates the store's tables and indexes if they do not exist, in
// one transaction under an advisory lock, so that application instances
// starting together do not collide. It is what New runs unless
// Options.NoMigrate is set; the SQL is Schema with the table name applied.
//
// When every table and index exists already (each instance that starts
// after the first), Migrate only looks them up in the catalog. It runs no
// DDL then: a CREATE INDEX IF NOT EXISTS that finds its index still takes
// a SHARE lock on the table first, which waits for every write transaction
// open on it (a long job, a VACUUM) while every session write queues
// behind the request; and it needs the CREATE privilege, which a role
// limited to reading and writing rows lacks.
func (s *Store) Migrate(ctx context.Context) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	var ready bool
	if err := s.pool.QueryRow(ctx, s.q.migrated, schemaObjects(s.table)).Scan(&ready); err != nil {
		return s.wrap(ctx, "looking up the tables (Migrate)", err)
	}
	if ready {
		return nil
	}
	// Exec without arguments uses the simple protocol: the statements run
	// as one implicit transaction, which holds the advisory lock to the end.
	sql := fmt.Sprintf("SELECT pg_advisory_xact_lock(%d);\n%s", lockID(s.table), schemaFor(s.table))
	if _, err := s.pool.Exec(ctx, sql); err != nil {
		return s.wrap(ctx, "creating tables (Migrate)", err)
	}
	return nil
}

// Close stops the background cleaner and waits for it to exit. It is safe
// to call more than once. It does not close the pool, which belongs to the
// caller; every method called after Close returns an error wrapping
// sessions.ErrStoreUnavailable.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.closed.Store(true)
		close(s.stop)
		s.cancel()
		<-s.done
	})
	return nil
}

// errClosed is what every method returns after Close. It wraps
// sessions.ErrStoreUnavailable, so the manager answers it with 503, but its
// text is its own: the ErrStoreUnavailable text promises that requests
// resume when the store returns, and a closed store never does.
var errClosed error = closedError{}

type closedError struct{}

func (closedError) Error() string {
	return "postgres: store unavailable: the store was closed (Store.Close) and serves no more requests; close it after the last request, or create a new store with postgres.New"
}

func (closedError) Unwrap() error { return sessions.ErrStoreUnavailable }

func (s *Store) check(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.closed.Load() {
		return errClosed
	}
	return nil
}

// wrap turns an error from pgx into one of the package's: connection
// failures, timeouts, a closed pool and a server that cannot take writes
// now (a read-only standby, a lock not granted in time) wrap
// sessions.ErrStoreUnavailable; errors the server reports about a
// statement do not.
func (s *Store) wrap(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(ctx.Err(), context.Canceled) {
		return fmt.Errorf("postgres: %s: %w (%v)", op, context.Canceled, err)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch {
		case strings.HasPrefix(pgErr.Code, "08"), // connection exception
			strings.HasPrefix(pgErr.Code, "53"), // insufficient resources
			// operator intervention: admin or crash shutdown (57P01,
			// 57P02), cannot connect now (57P03), statement timeout
			strings.HasPrefix(pgErr.Code, "57"),
			pgErr.Code == "40P01", // deadlock detected: the statement may be retried
			// idle_in_transaction_session_timeout, transaction_timeout
			// (PostgreSQL 17): the server ended the session
			pgErr.Code == "25P03", pgErr.Code == "25P04":
			return fmt.Errorf("%w: postgres: %s: %w", sessions.ErrStoreUnavailable, op, err)
		case pgErr.Code == "25006": // read_only_sql_transaction
			return fmt.Errorf("%w: postgres: %s: the server takes no writes (a hot standby, say after a failover, or default_transaction_read_only); point the pool at the primary: %w",
				sessions.ErrStoreUnavailable, op, err)
		case pgErr.Code == "55P03": // lock_not_available
			return fmt.Errorf("%w: postgres: %s: a row lock was not granted within lock_timeout; retry, or raise lock_timeout if it is shorter than your requests: %w",
				sessions.ErrStoreUnavailable, op, err)
		case pgErr.Code == "42P01": // undefined table
			return fmt.Errorf("postgres: %s: table %q is missing; run Store.Migrate, apply postgres.Schema, or unset Options.NoMigrate: %w", op, s.table, err)
		}
		return fmt.Errorf("postgres: %s: %w", op, err)
	}
	return fmt.Errorf("%w: postgres: %s: %w", sessions.ErrStoreUnavailable, op, err)
}
