package postgres

import (
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/sessionkit/sessions/storetest"
)

// Cleanup runs on any number of instances at once: one that finds an
// expired row another instance deleted meanwhile skips it. That holds on
// a database whose default isolation is stricter than READ COMMITTED too,
// as for every other statement of the store: no serialization failure.
func TestCleanupRacingDeleteUnderStricterDefaultIsolation(t *testing.T) {
	base := newTestStore(t, Options{CleanupInterval: -1})
	for _, level := range []string{"repeatable read", "serializable"} {
		t.Run(level, func(t *testing.T) {
			ctx := t.Context()
			cfg, err := pgxpool.ParseConfig(databaseURL())
			if err != nil {
				t.Fatal(err)
			}
			cfg.ConnConfig.RuntimeParams["default_transaction_isolation"] = level
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
			if _, err := s.Cleanup(ctx); err != nil { // prepares the statements
				t.Fatal(err)
			}
			expired := storetest.NewKey(t)
			if err := base.Create(ctx, expired, storetest.NewRecord(-time.Second, "x", 1)); err != nil {
				t.Fatal(err)
			}
			// Another instance's cleaner deletes the expired row, holding
			// the table so that this instance's Cleanup starts (and takes
			// its snapshot) before that delete commits.
			tx := hold(t, base, `LOCK TABLE {s} IN SHARE MODE; DELETE FROM {s} WHERE key = '`+expired+`'`)
			type result struct {
				n   int
				err error
			}
			done := make(chan result, 1)
			go func() {
				n, err := s.Cleanup(ctx)
				done <- result{n, err}
			}()
			waitLockWaiters(t, base, 1)
			if err := tx.Commit(ctx); err != nil {
				t.Fatal(err)
			}
			if r := <-done; r.err != nil || r.n != 0 {
				t.Fatalf("Cleanup racing another instance's = %d, %v; want 0, nil", r.n, r.err)
			}
		})
	}
}
