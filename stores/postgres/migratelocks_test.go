package postgres

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/storetest"
)

// TestMigrateExistingTablesTakesNoTableLock proves that New (Migrate) on a
// database whose tables already exist, as when one more application
// instance starts during a rolling deploy, neither waits for nor holds up
// the sessions other instances are writing. A CREATE INDEX, even one that
// finds its index there and does nothing, first takes a SHARE lock on the
// table, which waits for every open write transaction on it (a long job, an
// anti-wraparound VACUUM) while every later write queues behind the request.
func TestMigrateExistingTablesTakesNoTableLock(t *testing.T) {
	s := newTestStore(t, Options{CleanupInterval: -1})
	ctx := t.Context()
	busy, other := storetest.NewKey(t), storetest.NewKey(t)
	for _, k := range []string{busy, other} {
		if err := s.Create(ctx, k, storetest.NewRecord(time.Hour, "n", 1)); err != nil {
			t.Fatal(err)
		}
	}

	// A transaction somewhere holds a write lock on the table, as every
	// write does while it runs: here, an update of one session left open.
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(context.Background())
	if _, err := tx.Exec(ctx, fmt.Sprintf(`UPDATE %s SET last_seen = last_seen WHERE key = $1`, quote(s.table)), busy); err != nil {
		t.Fatal(err)
	}

	// Another instance starts while it is open.
	started := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		defer cancel()
		s2, err := New(ctx, s.pool, Options{Table: s.table, CleanupInterval: -1})
		if err == nil {
			s2.Close()
		}
		started <- err
	}()
	time.Sleep(300 * time.Millisecond) // let New's statements reach the server

	// The first instance keeps writing other sessions.
	wctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	err = s.Commit(wctx, other, &sessions.Delta{Set: []sessions.Field{{Key: "n", Value: 2}}})
	if err != nil {
		t.Errorf("Commit of another session while an instance starts: %v", err)
	}
	if err := <-started; err != nil {
		t.Errorf("New with the tables in place, beside an open write transaction: %v", err)
	}
}

// TestMigrateRestoresMissingIndex proves that Migrate still creates what is
// missing when only part of the schema is there: one index dropped.
func TestMigrateRestoresMissingIndex(t *testing.T) {
	s := newTestStore(t, Options{CleanupInterval: -1})
	ctx := t.Context()
	for _, idx := range []string{"_user_id_idx", "_aliases_expires_at_idx"} {
		exec(t, s, `DROP INDEX `+quote(s.table+idx))
		if err := s.Migrate(ctx); err != nil {
			t.Fatalf("Migrate without %s: %v", idx, err)
		}
		var ok bool
		if err := s.pool.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, quote(s.table+idx)).Scan(&ok); err != nil || !ok {
			t.Errorf("index %s after Migrate: exists %v (%v)", s.table+idx, ok, err)
		}
	}
}

// TestMigrateByRoleWithoutCreate proves that New with the default options
// works for a role that may read and write the store's rows but not create
// tables, once the tables exist (the least privilege many teams give an
// application). PostgreSQL checks the schema's CREATE privilege for CREATE
// TABLE IF NOT EXISTS even when the table exists.
func TestMigrateByRoleWithoutCreate(t *testing.T) {
	s := newTestStore(t, Options{CleanupInterval: -1})
	ctx := t.Context()
	role := s.table + "_app"
	exec(t, s, `CREATE ROLE `+quote(role)+` LOGIN`)
	t.Cleanup(func() {
		if _, err := s.pool.Exec(context.Background(), `DROP OWNED BY `+quote(role)+`; DROP ROLE `+quote(role)); err != nil {
			t.Errorf("dropping role: %v", err)
		}
	})
	exec(t, s, fmt.Sprintf(`GRANT SELECT, INSERT, UPDATE, DELETE ON %s, %s, %s TO %s`,
		quote(s.table), quote(s.table+"_values"), quote(s.table+"_aliases"), quote(role)))

	cfg, err := pgxpool.ParseConfig(databaseURL())
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.User = role
	cfg.MaxConns = 2
	p, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	app, err := New(ctx, p, Options{Table: s.table, CleanupInterval: -1})
	if err != nil {
		t.Fatalf("New as a role that reads and writes rows only: %v", err)
	}
	defer app.Close()
	key := storetest.NewKey(t)
	if err := app.Create(ctx, key, storetest.NewRecord(time.Hour, "n", 1)); err != nil {
		t.Fatalf("Create: %v", err)
	}
	if _, found, err := app.Load(ctx, key); !found || err != nil {
		t.Fatalf("Load: %v, %v", found, err)
	}
}

// TestSchemaObjectsCoverSchema guards Migrate's shortcut: Migrate skips the
// schema's SQL when every table and index schemaObjects names exists, so
// every statement of the schema must be one that creates such an object.
// A statement of another kind (an ALTER TABLE adding a column) would never
// run on a database whose tables exist: Migrate must then learn to look it
// up too.
func TestSchemaObjectsCoverSchema(t *testing.T) {
	var statements int
	for _, line := range strings.Split(schemaFor("sessions"), "\n") {
		if line != "" && line[0] >= 'A' && line[0] <= 'Z' {
			statements++
		}
	}
	if got := len(schemaObjects("sessions")); got != statements || got == 0 {
		t.Errorf("schemaObjects finds %d objects in a schema of %d statements; want one per statement", got, statements)
	}
}
