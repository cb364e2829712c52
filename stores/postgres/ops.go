package postgres

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/sessionkit/sessions"
)

// rowVersion is the only row format this package reads and writes (the
// version column).
const rowVersion = 1

// Load returns the live record under key, or under the new key of a rename
// whose grace has not passed, in one query (one round trip). A key that is
// not a store key (sessions.ValidKey) is not found without a query.
// Through a rename alias it reports the new key with sessions.ReportAlias.
func (s *Store) Load(ctx context.Context, key string) (*sessions.Record, bool, error) {
	rec, at, found, err := s.loadResolved(ctx, key)
	if found && at != key {
		sessions.ReportAlias(ctx, at)
	}
	return rec, found, err
}

// loadResolved is Load that also returns the key the record is stored
// under (key, or where key's rename alias leads), read by
// the same statement.
func (s *Store) loadResolved(ctx context.Context, key string) (*sessions.Record, string, bool, error) {
	if err := s.check(ctx); err != nil {
		return nil, "", false, err
	}
	if !sessions.ValidKey(key) {
		return nil, "", false, nil
	}
	var (
		version     int16
		m           sessions.Meta
		ua, cs, bnd []byte
		names       []string
		vals        [][]byte
		at          string
	)
	err := s.pool.QueryRow(ctx, s.q.load, key, now()).Scan(&version,
		&m.Created, &m.Renewed, &m.LastSeen, &m.AuthTime, &m.Expires, &m.User, &ua, &cs, &bnd,
		&names, &vals, &at)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, "", false, nil
	}
	if err != nil {
		return nil, "", false, s.wrap(ctx, "loading a session", err)
	}
	m.UserAgent, m.CSRF, m.Bind = string(ua), string(cs), string(bnd)
	rec, err := s.decode(version, m, names, vals)
	if err != nil {
		return nil, "", false, fmt.Errorf("postgres: session %s…: %w", key[:8], err)
	}
	return rec, at, true, nil
}

// Create inserts rec under key unless a live session, or a live rename
// alias, holds the key (then the error wraps sessions.ErrExists). An
// expired row under key is deleted first, in the same transaction. It is
// one round trip: BEGIN, two statements and COMMIT sent as one pgx batch.
func (s *Store) Create(ctx context.Context, key string, rec *sessions.Record) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	if !sessions.ValidKey(key) {
		return badKey(key)
	}
	names, vals, err := s.encode(rec.Fields)
	if err != nil {
		return err
	}
	m := &rec.Meta
	if err := checkIndexed("Meta.User", m.User); err != nil {
		return err
	}
	var n int64
	err = s.tx(ctx,
		stmt{sql: s.q.clearKey, args: []any{key, now()}},
		stmt{sql: s.q.create, args: []any{key, m.Created, m.Renewed, m.LastSeen, m.AuthTime, m.Expires,
			m.User, []byte(m.UserAgent), []byte(m.CSRF), []byte(m.Bind), names, vals},
			scan: func(r pgx.Row) error { return r.Scan(&n) }})
	if isUnique(err) {
		n, err = 0, nil // a concurrent Create won the key
	}
	if err != nil {
		return s.wrap(ctx, "creating a session", err)
	}
	if n == 0 {
		return fmt.Errorf("%w (postgres: %s…)", sessions.ErrExists, key[:8])
	}
	return nil
}

// Commit applies d to the live record under key (or the one a live rename
// alias reaches) in one round trip: a transaction of two statements sent
// as one pgx batch with its BEGIN and COMMIT. The first locks the row
// (SELECT ... FOR UPDATE) and finds it; the second deletes the removed
// values, upserts the set ones and writes the metadata if d carries it.
// Only the delta is sent. Commit never creates a row: when the first
// statement finds none, the second changes nothing and Commit returns
// sessions.ErrNotFound. A second round trip is spent only when the row was
// renamed or deleted while the first statement waited for its lock.
func (s *Store) Commit(ctx context.Context, key string, d *sessions.Delta) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	if !sessions.ValidKey(key) {
		return notFound(key)
	}
	args, err := s.commitArgs(d)
	if err != nil {
		return err
	}
	// A commit that finds its row renamed (or deleted) while it waited for
	// the row's lock is tried once more: a rename with grace leaves an
	// alias the retry follows, so a request racing a rotation keeps its
	// writes.
	for attempt := 0; ; attempt++ {
		var found, seen bool
		var version *int16
		err = s.tx(ctx,
			stmt{sql: s.q.lock, args: []any{key, now()},
				scan: func(r pgx.Row) error { return r.Scan(&found, &seen, &version) }},
			stmt{sql: s.q.commit, args: args})
		switch {
		case err != nil:
			return s.wrap(ctx, "committing a session", err)
		case version != nil && *version != rowVersion:
			return otherVersion(key, *version)
		case found:
			return nil
		case !seen || attempt > 0:
			return notFound(key)
		}
	}
}

// commitArgs returns the arguments of the commit statement applying d.
func (s *Store) commitArgs(d *sessions.Delta) ([]any, error) {
	names, vals, err := s.encode(d.Set)
	if err != nil {
		return nil, err
	}
	// No value was ever stored under a name that text cannot hold: there
	// is nothing to delete, and PostgreSQL would fail the whole commit on
	// it.
	del := make([]string, 0, len(d.Del))
	for _, name := range d.Del {
		if checkText("field name", name) == nil {
			del = append(del, name)
		}
	}
	var m sessions.Meta
	if d.Meta != nil {
		m = *d.Meta
		if err := checkIndexed("Meta.User", m.User); err != nil {
			return nil, err
		}
	}
	return []any{d.Clear, del, names, vals, int32(d.MetaChanges()),
		m.Created, m.Renewed, m.LastSeen, m.AuthTime, m.Expires,
		m.User, []byte(m.UserAgent), []byte(m.CSRF), []byte(m.Bind)}, nil
}

// Delete removes the row under key, with its values, and any rename alias
// from key (ending its grace early; the renamed session stays). Deleting an
// absent key is not an error. One round trip: a transaction of two
// statements sent as one pgx batch. The first locks the row under key, so
// that a rename of it in flight finishes first; the second, which
// therefore sees the alias such a rename leaves, deletes alias and row. A
// rename that waited for Delete instead finds no row (sessions.ErrNotFound).
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	if !sessions.ValidKey(key) {
		return nil
	}
	if err := s.tx(ctx,
		stmt{sql: s.q.lockKey, args: []any{key}},
		stmt{sql: s.q.del, args: []any{key}}); err != nil {
		return s.wrap(ctx, "deleting a session", err)
	}
	return nil
}

// Increment adds by to the integer field of the live record under key and
// returns the new value, in one statement that locks the row and does the
// addition in SQL (one round trip). An absent field counts as 0. Only an int (stored as
// plain decimal text) counts as an integer; anything else, and a result
// outside the range of an int on this platform (int64 on a 64-bit one), is
// sessions.ErrNotInteger, and leaves the field as it was.
func (s *Store) Increment(ctx context.Context, key, field string, by int64) (int64, error) {
	if err := s.check(ctx); err != nil {
		return 0, err
	}
	if !sessions.ValidKey(key) {
		return 0, notFound(key)
	}
	if err := checkIndexed("field name", field); err != nil {
		return 0, err
	}
	for attempt := 0; ; attempt++ {
		var seen bool
		var version *int16
		var n *int64
		err := s.tx(ctx, stmt{sql: s.q.increment, args: []any{key, now(), field, by},
			scan: func(r pgx.Row) error { return r.Scan(&version, &n, &seen) }})
		found := version != nil
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "22003" { // numeric_value_out_of_range
			return 0, fmt.Errorf("%w (postgres: field %q plus %d leaves the range of an int)", sessions.ErrNotInteger, field, by)
		}
		switch {
		case err != nil:
			return 0, s.wrap(ctx, "incrementing a session value", err)
		case found && *version != rowVersion:
			return 0, otherVersion(key, *version)
		case found && n == nil:
			return 0, fmt.Errorf("%w (postgres: field %q is not an int)", sessions.ErrNotInteger, field)
		case found:
			return *n, nil
		case !seen || attempt > 0: // see Commit for the retry
			return 0, notFound(key)
		}
	}
}

// Rename moves the live row under oldKey to newKey, values and all, in one
// round trip (one transaction sent as a pgx batch: clear an expired row or
// alias under newKey, then move the row). With grace > 0 it records an
// alias by which oldKey reaches the row until the grace has passed. Rename
// does not follow aliases: oldKey must hold the row itself.
func (s *Store) Rename(ctx context.Context, oldKey, newKey string, grace time.Duration) error {
	return s.rename(ctx, oldKey, newKey, grace, nil)
}

// RenameCommit implements sessions.RenameCommitter: Rename's transaction
// with the commit statement of d after the move, still one round trip. The
// commit acts on the row the rename moved, and on nothing when it did not.
func (s *Store) RenameCommit(ctx context.Context, oldKey, newKey string, grace time.Duration, d *sessions.Delta) error {
	return s.rename(ctx, oldKey, newKey, grace, d)
}

// rename is Rename, applying d (if not nil) to the row it moves.
func (s *Store) rename(ctx context.Context, oldKey, newKey string, grace time.Duration, d *sessions.Delta) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	if !sessions.ValidKey(oldKey) {
		return notFound(oldKey)
	}
	if !sessions.ValidKey(newKey) {
		return badKey(newKey)
	}
	t := now()
	var aliasExp int64
	if grace > 0 {
		aliasExp = t + int64(min(grace, time.Duration(math.MaxInt64-t))) // no wrap
	}
	var taken, moved bool
	var version *int16
	var target string
	stmts := []stmt{
		{sql: s.q.clearKey, args: []any{newKey, t}},
		{sql: s.q.rename, args: []any{oldKey, t, newKey, aliasExp},
			scan: func(r pgx.Row) error { return r.Scan(&version, &taken, &moved, &target) }},
	}
	if d != nil {
		args, err := s.commitArgs(d)
		if err != nil {
			return err
		}
		stmts = append(stmts, stmt{sql: s.q.commit, args: args})
	}
	err := s.tx(ctx, stmts...)
	live := version != nil
	switch {
	case isUnique(err):
		// A transaction that committed while the move waited on newKey
		// (a concurrent Create, say) took it. The statement failed before
		// its result row; it fails so only when it tried to move a live
		// row (of this format version: no other moves).
		live, taken, err = true, true, nil
	case err != nil:
		return s.wrap(ctx, "renaming a session", err)
	case live && *version != rowVersion:
		return otherVersion(oldKey, *version)
	}
	// The old key is judged first (see sessions.Store.Rename): an absent
	// oldKey is ErrNotFound whatever newKey holds, and oldKey == newKey is
	// ErrExists when it holds a live row (the key is taken by itself).
	switch {
	case !live:
		return notFound(oldKey)
	case taken, !moved:
		return fmt.Errorf("%w (postgres: %s…)", sessions.ErrExists, newKey[:8])
	}
	return nil
}

// stmt is one statement of a transaction sent by tx: its SQL, arguments,
// and the function that reads its one result row (nil: discarded).
type stmt struct {
	sql  string
	args []any
	scan func(pgx.Row) error
}

// beginRC starts every write transaction. The statements rely on READ
// COMMITTED (PostgreSQL's default): a statement that runs after a row lock
// sees everything committed before the lock was granted. Naming the level
// keeps that true on databases whose default_transaction_isolation is
// stricter.
const beginRC = "BEGIN ISOLATION LEVEL READ COMMITTED"

// tx runs stmts as one transaction in one round trip: BEGIN, the
// statements and COMMIT go out as a single pgx batch. It returns the first
// error; the server then skips the rest, COMMIT included, so nothing takes
// effect (and pgxpool discards the connection, left in a failed
// transaction, instead of reusing it).
func (s *Store) tx(ctx context.Context, stmts ...stmt) error {
	b := &pgx.Batch{}
	b.Queue(beginRC)
	for _, st := range stmts {
		b.Queue(st.sql, st.args...)
	}
	b.Queue("COMMIT")
	br := s.pool.SendBatch(ctx, b)
	_, err := br.Exec()
	for _, st := range stmts {
		if err != nil {
			break
		}
		if st.scan == nil {
			_, err = br.Exec()
		} else {
			err = st.scan(br.QueryRow())
		}
	}
	if err == nil {
		_, err = br.Exec()
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return err
}

func isUnique(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505"
}

func now() int64 { return time.Now().UnixNano() }

func notFound(key string) error {
	return fmt.Errorf("%w (postgres: %s)", sessions.ErrNotFound, short(key))
}

// otherVersion is the error of a write to the row under key of another
// format version, which Load refuses too (see decode): it is not written.
func otherVersion(key string, version int16) error {
	return fmt.Errorf("%w (postgres: %s: row format version %d, this package writes %d; upgrade the package or delete the row)", sessions.ErrCorrupt, short(key), version, rowVersion)
}

func badKey(key string) error {
	return fmt.Errorf("postgres: %q is not a store key; pass sessions.KeyOf(id), 64 lowercase hex characters", short(key))
}

func short(key string) string {
	if len(key) > 8 {
		return key[:8] + "…"
	}
	return key
}
