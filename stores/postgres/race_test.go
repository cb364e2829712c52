package postgres

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/storetest"
)

// tables replaces {s}, {v} and {a} in SQL with the names of s's tables.
func tables(s *Store) *strings.Replacer {
	return strings.NewReplacer("{s}", quote(s.table), "{v}", quote(s.table+"_values"), "{a}", quote(s.table+"_aliases"))
}

// hold begins a transaction on s's pool that runs sql (with {s}, {v} and
// {a} naming s's tables, as in exec) and stays open, holding the locks sql
// took, until the caller commits it. It is rolled back when the test ends
// if still open.
func hold(t *testing.T, s *Store, sql string, args ...any) pgx.Tx {
	t.Helper()
	tx, err := s.pool.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tx.Rollback(context.Background()) })
	if _, err := tx.Exec(t.Context(), tables(s).Replace(sql), args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return tx
}

// waitLockWaiters waits until n statements on s's tables are waiting for
// a lock another transaction holds. Tests use it to order racing
// operations: the first to wait on a row lock is the first to get it.
func waitLockWaiters(t *testing.T, s *Store, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var got int
		if err := s.pool.QueryRow(t.Context(), `
SELECT count(*) FROM pg_stat_activity
WHERE datname = current_database() AND wait_event_type = 'Lock' AND strpos(query, $1) > 0`,
			s.table).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d statements on %s wait for a lock after 10s, want %d", got, s.table, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// aliases counts the rename aliases whose column (old_key or new_key) is
// key.
func aliases(t *testing.T, s *Store, column, key string) int {
	t.Helper()
	var n int
	if err := s.pool.QueryRow(t.Context(), tables(s).Replace(`SELECT count(*) FROM {a} WHERE `+column+` = $1`), key).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func loads(t *testing.T, s *Store, key string) bool {
	t.Helper()
	_, found, err := s.Load(t.Context(), key)
	if err != nil {
		t.Fatalf("Load(%.8s…): %v", key, err)
	}
	return found
}

// renamers are the ways a session gets a new key, for tests racing them.
var renamers = []struct {
	name   string
	rename func(ctx context.Context, s *Store, oldKey, newKey string) error
}{
	{"Rename", func(ctx context.Context, s *Store, oldKey, newKey string) error {
		return s.Rename(ctx, oldKey, newKey, 0)
	}},
	{"Rename with grace", func(ctx context.Context, s *Store, oldKey, newKey string) error {
		return s.Rename(ctx, oldKey, newKey, time.Minute)
	}},
	{"RenameCommit with grace", func(ctx context.Context, s *Store, oldKey, newKey string) error {
		return s.RenameCommit(ctx, oldKey, newKey, time.Minute, &sessions.Delta{Set: []sessions.Field{{Key: "x", Value: 1}}})
	}},
}

// A session rotated while "log out everywhere" waits for its row lock is
// still deleted, counted, and unreachable through its old key.
func TestDeleteUserSessionsRacingRename(t *testing.T) {
	for _, c := range renamers {
		t.Run(c.name, func(t *testing.T) {
			s := newTestStore(t, Options{CleanupInterval: -1})
			ctx := t.Context()
			keep, victim, other, rotated := storetest.NewKey(t), storetest.NewKey(t), storetest.NewKey(t), storetest.NewKey(t)
			for _, k := range []string{keep, victim, other} {
				rec := storetest.NewRecord(time.Hour)
				rec.User = "alice"
				if err := s.Create(ctx, k, rec); err != nil {
					t.Fatal(err)
				}
			}
			// A request in flight holds the victim's row; the rotation
			// queues first behind it, the revocation second.
			tx := hold(t, s, `SELECT 1 FROM {s} WHERE key = $1 FOR UPDATE`, victim)
			renamed := make(chan error, 1)
			go func() { renamed <- c.rename(ctx, s, victim, rotated) }()
			waitLockWaiters(t, s, 1)
			type result struct {
				n   int
				err error
			}
			deleted := make(chan result, 1)
			go func() {
				n, err := s.DeleteUserSessions(ctx, "alice", keep)
				deleted <- result{n, err}
			}()
			waitLockWaiters(t, s, 2)
			if err := tx.Commit(ctx); err != nil {
				t.Fatal(err)
			}
			if err := <-renamed; err != nil {
				t.Fatalf("rename: %v", err)
			}
			r := <-deleted
			if r.err != nil || r.n != 2 {
				t.Errorf("DeleteUserSessions = %d, %v; want 2 (the rotated session and the other), nil", r.n, r.err)
			}
			list, err := s.UserSessions(ctx, "alice")
			if err != nil {
				t.Fatal(err)
			}
			if len(list) != 1 || list[0].Key != keep {
				t.Errorf("alice's sessions after DeleteUserSessions: %d, want only the kept one", len(list))
			}
			for _, k := range []string{victim, rotated, other} {
				if loads(t, s, k) {
					t.Errorf("Load(%.8s…) finds a session after DeleteUserSessions", k)
				}
			}
			if n := aliases(t, s, "new_key", rotated); n != 0 {
				t.Errorf("%d aliases still lead to the deleted session", n)
			}
		})
	}
}

// Delete(A) and Rename(A, B, grace) racing for A's row: whichever gets it
// first, both obey the contract once the other is done.
func TestDeleteRacingRenameWithGrace(t *testing.T) {
	for _, c := range []struct {
		name        string
		renameFirst bool
	}{
		// Delete(A) after the rename ends the grace; B keeps the session.
		{"rename first", true},
		// The session is gone before the rename: ErrNotFound.
		{"delete first", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := newTestStore(t, Options{CleanupInterval: -1})
			ctx := t.Context()
			a, b := storetest.NewKey(t), storetest.NewKey(t)
			if err := s.Create(ctx, a, storetest.NewRecord(time.Hour, "n", 1)); err != nil {
				t.Fatal(err)
			}
			tx := hold(t, s, `SELECT 1 FROM {s} WHERE key = $1 FOR UPDATE`, a)
			renamed, deleted := make(chan error, 1), make(chan error, 1)
			rename := func() { renamed <- s.Rename(ctx, a, b, time.Minute) }
			del := func() { deleted <- s.Delete(ctx, a) }
			first, second := del, rename
			if c.renameFirst {
				first, second = rename, del
			}
			go first()
			waitLockWaiters(t, s, 1)
			go second()
			waitLockWaiters(t, s, 2)
			if err := tx.Commit(ctx); err != nil {
				t.Fatal(err)
			}
			rerr, derr := <-renamed, <-deleted
			if derr != nil {
				t.Fatalf("Delete: %v", derr)
			}
			if loads(t, s, a) {
				t.Errorf("Load(A) finds the session after Delete(A) returned nil")
			}
			if n := aliases(t, s, "old_key", a); n != 0 {
				t.Errorf("%d aliases from A survive Delete(A)", n)
			}
			if c.renameFirst {
				if rerr != nil {
					t.Fatalf("Rename: %v", rerr)
				}
				if !loads(t, s, b) {
					t.Errorf("Load(B) finds nothing: Delete(A) after the rename deleted the renamed session")
				}
			} else {
				if !errors.Is(rerr, sessions.ErrNotFound) {
					t.Errorf("Rename of a deleted session: %v, want ErrNotFound", rerr)
				}
				if loads(t, s, b) {
					t.Errorf("Load(B) finds the deleted session")
				}
			}
		})
	}
}

// A rename onto a key that a concurrent transaction inserts, committing
// while the rename waits on it, fails with ErrExists (the new key is
// taken), changes nothing, and applies no delta.
func TestRenameOntoKeyTakenConcurrently(t *testing.T) {
	for _, c := range renamers {
		t.Run(c.name, func(t *testing.T) {
			s := newTestStore(t, Options{CleanupInterval: -1})
			ctx := t.Context()
			oldKey, newKey := storetest.NewKey(t), storetest.NewKey(t)
			if err := s.Create(ctx, oldKey, storetest.NewRecord(time.Hour, "n", 1)); err != nil {
				t.Fatal(err)
			}
			// A concurrent Create of newKey, not yet committed: the rename
			// does not see it, and waits on it in the key's unique index.
			tx := hold(t, s, `INSERT INTO {s} (key, created, renewed, last_seen, auth_time, expires_at) VALUES ($1, 1, 1, 1, 1, $2)`,
				newKey, time.Now().Add(time.Hour).UnixNano())
			renamed := make(chan error, 1)
			go func() { renamed <- c.rename(ctx, s, oldKey, newKey) }()
			waitLockWaiters(t, s, 1)
			if err := tx.Commit(ctx); err != nil {
				t.Fatal(err)
			}
			if err := <-renamed; !errors.Is(err, sessions.ErrExists) {
				t.Errorf("rename onto a key created meanwhile: %v, want ErrExists", err)
			}
			rec, found, err := s.Load(ctx, oldKey)
			if err != nil || !found {
				t.Fatalf("Load(old key) after the failed rename = %v, %v; want the session", found, err)
			}
			if _, ok := rec.Lookup("x"); ok {
				t.Errorf("the failed rename applied its delta")
			}
			if n := aliases(t, s, "old_key", oldKey); n != 0 {
				t.Errorf("the failed rename left %d aliases", n)
			}
		})
	}
}

// Errors of a server that cannot take writes now, through no fault of the
// statement, wrap sessions.ErrStoreUnavailable so that callers answer 503:
// a read-only server (a hot standby after a failover) and a row lock not
// granted within lock_timeout.
func TestUnavailableServerStates(t *testing.T) {
	base := newTestStore(t, Options{CleanupInterval: -1})
	ctx := t.Context()
	key, fresh := storetest.NewKey(t), storetest.NewKey(t)
	rec := storetest.NewRecord(time.Hour, "n", 1)
	rec.User = "alice"
	if err := base.Create(ctx, key, rec); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		params map[string]string
		// lock holds key's row and a row inserted under fresh in an open
		// transaction while the operations run.
		lock bool
		code string
	}{
		{"read-only server", map[string]string{"default_transaction_read_only": "on"}, false, "25006"},
		{"lock timeout", map[string]string{"lock_timeout": "100ms"}, true, "55P03"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := pgxpool.ParseConfig(databaseURL())
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range c.params {
				cfg.ConnConfig.RuntimeParams[k] = v
			}
			p, err := pgxpool.NewWithConfig(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			s, err := New(ctx, p, Options{Table: base.table, NoMigrate: true, CleanupInterval: -1})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if c.lock {
				tx := hold(t, base, `
WITH l AS (SELECT 1 FROM {s} WHERE key = $1 FOR UPDATE)
INSERT INTO {s} (key, created, renewed, last_seen, auth_time, expires_at)
SELECT $2, 1, 1, 1, 1, $3 FROM l`, key, fresh, time.Now().Add(time.Hour).UnixNano())
				defer tx.Rollback(ctx)
			}
			d := &sessions.Delta{Set: []sessions.Field{{Key: "x", Value: 1}}}
			for _, op := range []struct {
				name string
				fn   func() error
			}{
				{"Create", func() error { return s.Create(ctx, fresh, storetest.NewRecord(time.Hour)) }},
				{"Commit", func() error { return s.Commit(ctx, key, d) }},
				{"Increment", func() error { _, err := s.Increment(ctx, key, "n", 1); return err }},
				{"Delete", func() error { return s.Delete(ctx, key) }},
				{"Rename", func() error { return s.Rename(ctx, key, storetest.NewKey(t), time.Minute) }},
				{"RenameCommit", func() error { return s.RenameCommit(ctx, key, storetest.NewKey(t), 0, d) }},
				{"DeleteUserSessions", func() error { _, err := s.DeleteUserSessions(ctx, "alice", ""); return err }},
			} {
				err := op.fn()
				var pgErr *pgconn.PgError
				if !errors.As(err, &pgErr) || pgErr.Code != c.code {
					t.Errorf("%s: %v, want SQLSTATE %s", op.name, err, c.code)
					continue
				}
				if !errors.Is(err, sessions.ErrStoreUnavailable) {
					t.Errorf("%s: %v, want ErrStoreUnavailable", op.name, err)
				}
			}
			if !c.lock && !loads(t, s, key) {
				t.Errorf("Load on a read-only server finds nothing, want the session")
			}
		})
	}
	if !loads(t, base, key) {
		t.Errorf("the session is gone after operations that all failed")
	}
}
