package storeurl

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/sessionkit/sessions/cmd/internal/testenv"
	"github.com/sessionkit/sessions/stores/postgres"
)

// tablesIn returns the tables of schema.
func tablesIn(t *testing.T, conn *pgx.Conn, schema string) []string {
	t.Helper()
	rows, err := conn.Query(context.Background(), "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1", schema)
	if err != nil {
		t.Fatal(err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// cleaners reports whether a PostgreSQL store's background cleaner is
// running in this process. A cleaner that Close stopped may still be
// returning for a moment after Close (it signals done from a deferred
// call), so it looks again for up to a second before it says yes; a
// cleaner of an open store runs until Close, and is still seen then.
func cleaners() bool {
	buf := make([]byte, 1<<20)
	for deadline := time.Now().Add(time.Second); ; time.Sleep(10 * time.Millisecond) {
		if !strings.Contains(string(buf[:runtime.Stack(buf, true)]), "stores/postgres.(*Store).clean(") {
			return false
		}
		if time.Now().After(deadline) {
			return true
		}
	}
}

// TestOpenExistingPostgresCreatesNothing: sessionsctl inspects the store of
// a running server. Pointed at the wrong database (or schema), it used to
// run Migrate there, creating an empty sessions table, and then answer
// "no live session" for every handle and "revoked 0 sessions" for every
// user, as if all were well. OpenExisting creates no tables and says that
// the server's table is not there; nor does it start a background cleaner,
// which deletes rows: that is the server's job.
func TestOpenExistingPostgresCreatesNothing(t *testing.T) {
	schema, conn, spec := testenv.FreshSchema(t, "storeurl_test_", Redact)
	ctx := t.Context()

	s, closeStore, err := OpenExisting(ctx, spec, "")
	if err == nil {
		closeStore()
		t.Errorf("OpenExisting on a database without a sessions table = %T, nil; want an error", s)
	} else {
		msg := err.Error()
		for _, want := range []string{`"sessions"`, "table", schema, "database", "-store"} {
			if !strings.Contains(msg, want) {
				t.Errorf("error %q does not mention %s", msg, want)
			}
		}
	}
	if tables := tablesIn(t, conn, schema); len(tables) != 0 {
		t.Fatalf("OpenExisting created tables %v in schema %s", tables, schema)
	}

	// With the tables the server made, it opens, and runs no cleaner.
	_, closeMigrated, err := Open(ctx, spec, "")
	if err != nil {
		t.Fatal(err)
	}
	closeMigrated()
	if cleaners() {
		t.Fatal("a postgres cleaner still runs after Close")
	}
	s, closeStore, err = OpenExisting(ctx, spec, "")
	if err != nil {
		t.Fatalf("OpenExisting with the tables in place: %v", err)
	}
	defer closeStore()
	if _, ok := s.(*postgres.Store); !ok {
		t.Fatalf("OpenExisting = %T, want a *postgres.Store", s)
	}
	if cleaners() {
		t.Error("OpenExisting started a background cleaner; an inspecting tool must leave deleting expired rows to the server")
	}
}
