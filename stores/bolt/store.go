package bolt

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sessionkit/sessions"
	"go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// Default option values, used where the corresponding Options field is zero.
const (
	DefaultBucket          = "sessions"
	DefaultCleanupInterval = time.Minute
	DefaultCleanupBatch    = 500
	DefaultOpenTimeout     = time.Second
)

// Options configures a Store. The zero value is ready to use; every field's
// zero value means its default.
type Options struct {
	// Bucket names the top-level bucket that holds the store's nested
	// buckets (records, expiry, users, aliases). Give each Store sharing one
	// database its own name. Default "sessions".
	Bucket string

	// CleanupInterval is how often the background cleaner deletes expired
	// sessions and rename aliases. Default one minute. A negative value
	// disables the cleaner; expired sessions are still never served, and
	// Cleanup can be called by hand.
	CleanupInterval time.Duration

	// CleanupBatch is how many expired entries the cleaner deletes per write
	// transaction, so that it never holds bbolt's single writer lock for
	// long. Default 500.
	CleanupBatch int

	// OpenTimeout bounds how long Open waits for the file lock when another
	// process has the database open. Default one second. New ignores it.
	OpenTimeout time.Duration

	// Logger receives errors from the background cleaner, which has no caller
	// to return them to. Default slog.Default().
	Logger *slog.Logger
}

func (o Options) withDefaults() (Options, error) {
	if o.Bucket == "" {
		o.Bucket = DefaultBucket
	}
	if o.CleanupInterval == 0 {
		o.CleanupInterval = DefaultCleanupInterval
	}
	switch {
	case o.CleanupBatch == 0:
		o.CleanupBatch = DefaultCleanupBatch
	case o.CleanupBatch < 0:
		return o, fmt.Errorf("%w: bolt: Options.CleanupBatch is %d; use a positive batch size or 0 for the default (%d)",
			sessions.ErrConfig, o.CleanupBatch, DefaultCleanupBatch)
	}
	switch {
	case o.OpenTimeout == 0:
		o.OpenTimeout = DefaultOpenTimeout
	case o.OpenTimeout < 0:
		return o, fmt.Errorf("%w: bolt: Options.OpenTimeout is %v; use a positive duration or 0 for the default (%v)",
			sessions.ErrConfig, o.OpenTimeout, DefaultOpenTimeout)
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o, nil
}

// Store is a sessions.Store and sessions.UserIndex kept in a bbolt database.
// It is safe for use by many goroutines of one process; bbolt itself allows
// only one process to open a database file.
type Store struct {
	db     *bbolt.DB
	ownsDB bool
	file   *dbFile // the database file, when Open opened it
	root   []byte
	batch  int
	log    *slog.Logger

	closed    atomic.Bool
	damaged   atomic.Pointer[error] // the first error guard made of a panic (see guarded)
	closeOnce sync.Once
	closeErr  error
	stop      chan struct{} // closed by Close; created before the cleaner starts
	stopCtx   context.Context
	cancel    context.CancelFunc
	done      chan struct{} // closed when the cleaner has exited

	// writer is the store's turn at bbolt's writer lock: a write waits for
	// it while watching its context, so a request whose client has gone
	// stops waiting instead of queueing on a lock it cannot leave.
	writer chan struct{}
}

var (
	_ sessions.Store     = (*Store)(nil)
	_ sessions.UserIndex = (*Store)(nil)
	_ sessions.Counter   = (*Store)(nil)
)

// Open opens (or creates) the bbolt database at path and returns a Store
// that owns it: Close closes the database. A missing parent directory is
// created with mode 0700 and a new file with mode 0600, because session
// records are credentials. Open fails after Options.OpenTimeout when another
// process holds the file. bbolt's defaults apply (every commit is synced to
// disk); to choose other bbolt options, open the database yourself and use
// New.
func Open(path string, opts Options) (*Store, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	if path == "" {
		return nil, fmt.Errorf("%w: bolt: empty database path; pass a file path such as /var/lib/myapp/sessions.db", sessions.ErrConfig)
	}
	dir := filepath.Dir(path)
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("bolt: creating directory for the session database: %w", err)
		}
	}
	file := new(dbFile)
	db, err := openFile(path, opts.OpenTimeout, file)
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("%w: bolt: %s is held by another process (a bbolt file can be open in one process only); stop that process or use another path", sessions.ErrStoreUnavailable, path)
	}
	if err != nil {
		return nil, fmt.Errorf("bolt: opening %s: %w", path, err)
	}
	s, err := newStore(db, opts, file)
	if errors.Is(err, errDamaged) {
		closeDamaged(db, file)
		return nil, err
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// openFile is bbolt.Open with a damaged file refused by an error (see
// guard) instead of a panic or a crash. bbolt.Open does not clean up after
// a panic, and returns no DB to close: openFile releases the file's lock
// and descriptor itself, through file, so that the file can be opened
// again. bbolt's read-only memory map of the file, if it made one, stays
// until the process exits.
func openFile(path string, timeout time.Duration, file *dbFile) (db *bbolt.DB, err error) {
	defer func() {
		if errors.Is(err, errDamaged) { // bbolt cleans up after its errors, not its panics
			file.release()
		}
	}()
	defer guard(&err)
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	return bbolt.Open(path, 0o600, &bbolt.Options{Timeout: timeout, OpenFile: file.open})
}

// New returns a Store kept in db, a database the caller already has open
// for writing. The store creates its buckets if absent. Close stops the
// store's cleaner but leaves db open: the caller closes it, after the store.
func New(db *bbolt.DB, opts Options) (*Store, error) {
	if db == nil {
		return nil, fmt.Errorf("%w: bolt: New needs an open *bbolt.DB; use Open to open a file", sessions.ErrConfig)
	}
	opts.OpenTimeout = 0 // Open's alone: New ignores it, as its doc says
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	return newStore(db, opts, nil)
}

// newStore makes the store's buckets in db. file is the database's file
// when Open opened db, which the store then owns, or nil.
func newStore(db *bbolt.DB, opts Options, file *dbFile) (*Store, error) {
	s := &Store{
		db:     db,
		ownsDB: file != nil,
		file:   file,
		root:   []byte(opts.Bucket),
		batch:  opts.CleanupBatch,
		log:    opts.Logger,
		stop:   make(chan struct{}),
		done:   make(chan struct{}),
		writer: make(chan struct{}, 1),
	}
	s.stopCtx, s.cancel = context.WithCancel(context.Background())
	err := s.guarded(func() error {
		return db.Update(func(tx *bbolt.Tx) error {
			root, err := tx.CreateBucketIfNotExists(s.root)
			if err != nil {
				return err
			}
			for _, name := range [...][]byte{bucketRecords, bucketExpiry, bucketUsers, bucketAliases} {
				if _, err := root.CreateBucketIfNotExists(name); err != nil {
					return err
				}
			}
			return nil
		})
	})
	if errors.Is(err, errDamaged) {
		s.cancel()
		return nil, err
	}
	if err != nil {
		s.cancel()
		return nil, fmt.Errorf("bolt: creating bucket %q (is the database open read-only?): %w", opts.Bucket, err)
	}
	if opts.CleanupInterval > 0 {
		go s.clean(opts.CleanupInterval)
	} else {
		close(s.done)
	}
	return s, nil
}

// Close stops the background cleaner and waits for it to exit, then closes
// the database if Open opened it. It is safe to call more than once; later
// calls return the first call's result. Every method called after Close
// returns an error wrapping sessions.ErrStoreUnavailable.
//
// After the store found its file damaged (see the package doc), Close
// returns the damage error and does not wait for the cleaner, which may be
// stuck on a lock the panicking transaction left held. If Open opened the
// database, Close closes it, or, when bbolt's own Close is still waiting
// for those locks after a second, releases the file's lock and descriptor
// itself: either way the file can then be opened again. (In the second
// case bbolt's read-only memory map of the file stays until the process
// exits.)
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		// The cleaner's context ends first: a batch that starts before the
		// store is marked closed then fails with the context's error, which
		// the cleaner does not log, not with the closed store's.
		s.cancel()
		s.closed.Store(true)
		close(s.stop)
		if d := s.damaged.Load(); d != nil {
			s.closeErr = *d
			if s.ownsDB {
				closeDamaged(s.db, s.file)
			}
			return
		}
		<-s.done
		if s.ownsDB {
			s.closeErr = s.db.Close()
		}
	})
	return s.closeErr
}

// DB returns the underlying database, for backups (bbolt's Tx.WriteTo) and
// inspection.
func (s *Store) DB() *bbolt.DB { return s.db }

// errClosed is what every method returns after Close, and after the
// caller closed the database it gave New. It wraps
// sessions.ErrStoreUnavailable, so the manager answers it with 503, but its
// text is its own: the ErrStoreUnavailable text promises that requests
// resume when the store returns, and a closed store never does.
var errClosed error = closedError{}

type closedError struct{}

func (closedError) Error() string {
	return "bolt: store unavailable: the store was closed (Store.Close, or Close of the *bbolt.DB given to bolt.New) and serves no more requests; close it after the last request, or open a new store with bolt.Open or bolt.New"
}

func (closedError) Unwrap() error { return sessions.ErrStoreUnavailable }

func (s *Store) check(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.closed.Load() {
		return errClosed
	}
	if d := s.damaged.Load(); d != nil {
		return *d
	}
	return nil
}

// view runs fn in a read transaction.
func (s *Store) view(ctx context.Context, fn func(t *txn) error) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	var own error
	err := s.guarded(func() error {
		return s.db.View(func(tx *bbolt.Tx) error {
			t, err := s.txn(tx)
			if err == nil {
				err = fn(t)
			}
			own = err
			return err
		})
	})
	return s.wrap(err, own)
}

// update runs fn in a write transaction, which commits only when fn returns
// nil. It waits for the store's writer turn while watching ctx, and checks
// ctx again once bbolt's writer lock is held, so a request abandoned while
// waiting returns its context's error and writes nothing. Once it has its
// turn it checks the store again: a write that queued before another call
// found the file damaged (or before Close) returns that error instead of
// entering bbolt, whose locks the damage may have left held for good. (A
// writer outside the store, on a database shared through New, still makes
// it wait inside bbolt.)
func (s *Store) update(ctx context.Context, fn func(t *txn) error) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	select {
	case s.writer <- struct{}{}:
		defer func() { <-s.writer }()
	case <-ctx.Done():
		return fmt.Errorf("bolt: waiting for the writer lock: %w", ctx.Err())
	}
	if err := s.check(ctx); err != nil { // damaged or closed while waiting
		return err
	}
	var own error
	var t *txn
	err := s.guarded(func() error {
		return s.db.Update(func(tx *bbolt.Tx) error {
			err := ctx.Err()
			if err == nil {
				if t, err = s.txn(tx); err == nil {
					err = fn(t)
				}
			}
			own = err
			return err
		})
	})
	if err == nil && t != nil {
		for _, entry := range t.dropped {
			s.log.Warn("sessions/bolt: deleted a nested bucket found where the store keeps a plain record or index entry; something other than the store writes into its bucket",
				"bucket", string(s.root), "entry", entry)
		}
	}
	return s.wrap(err, own)
}

// errDamaged marks the errors of guard.
var errDamaged = fmt.Errorf("%w: bolt: the database file looks damaged", sessions.ErrStoreUnavailable)

// guard, deferred, turns a panic into an error wrapping errDamaged (and so
// sessions.ErrStoreUnavailable), with the panic's value. bbolt reports a
// damaged file by panicking (a page of an unexpected type) or, reading a
// page past the end of a truncated file, by a memory fault, which
// SetPanicOnFault makes a panic too; unrecovered, either kills the
// process, from the background cleaner as from a request.
func guard(err *error) {
	if r := recover(); r != nil {
		if vp, ok := r.(valuePanic); ok {
			panic(vp.v) // the caller's fault, not the file's (see valuePanic)
		}
		*err = fmt.Errorf("%w (a transaction panicked: %v); restore the file from a backup, or move it aside to start with no sessions", errDamaged, r)
	}
}

// valuePanic is a panic caused by the caller's arguments, not by the file:
// from encoding a session value (see txn.put) or applying a delta (see
// applyInTx).
type valuePanic struct{ v any }

// guarded runs fn, a bbolt transaction, under guard. After a panic the
// store refuses every later call with the same error, without entering
// bbolt again: bbolt may have panicked while holding its own locks (in
// rolling back, or in reading its meta pages), and a transaction that
// waited for them would wait forever.
func (s *Store) guarded(fn func() error) (err error) {
	defer func() {
		if errors.Is(err, errDamaged) {
			s.damaged.CompareAndSwap(nil, &err)
		}
	}()
	defer guard(&err)
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	return fn()
}

// wrap marks errors from bbolt (closed database, failed commit, disk
// errors, and those its bucket methods return inside a transaction) as
// ErrStoreUnavailable; errors our own code made (ErrNotFound, ErrCorrupt,
// ErrExists, a context's error, ...) pass through.
func (s *Store) wrap(err, own error) error {
	if err == nil || errors.Is(err, errDamaged) || errors.Is(err, sessions.ErrStoreUnavailable) {
		return err
	}
	if errors.Is(err, bolterrors.ErrDatabaseNotOpen) {
		return errClosed
	}
	if errors.Is(err, bolterrors.ErrIncompatibleValue) {
		return fmt.Errorf("%w: bolt: the database holds a nested bucket where the store keeps a session record or index entry (%w), so something other than the store wrote into bucket %q; delete that nested bucket, or restore the file from a backup",
			sessions.ErrStoreUnavailable, err, s.root)
	}
	if own != nil && err == own && !fromBolt(err) {
		return err
	}
	return fmt.Errorf("%w: bolt: %w", sessions.ErrStoreUnavailable, err)
}

// fromBolt reports whether err is one of the errors bbolt's transaction
// and bucket methods return.
func fromBolt(err error) bool {
	for _, e := range [...]error{
		bolterrors.ErrTxClosed, bolterrors.ErrTxNotWritable, bolterrors.ErrDatabaseReadOnly,
		bolterrors.ErrBucketNotFound, bolterrors.ErrBucketExists, bolterrors.ErrBucketNameRequired,
		bolterrors.ErrKeyRequired, bolterrors.ErrKeyTooLarge, bolterrors.ErrValueTooLarge,
		bolterrors.ErrMaxSizeReached, bolterrors.ErrIncompatibleValue,
	} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
