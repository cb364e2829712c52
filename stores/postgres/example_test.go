package postgres_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/postgres"
)

// This example needs a PostgreSQL server, so it is compiled but not run.
func Example() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()

	// New creates the tables on first use. Set NoMigrate when your
	// migrations apply postgres.Schema instead.
	store, err := postgres.New(ctx, pool, postgres.Options{
		Table:           "web_sessions",
		CleanupInterval: 10 * time.Minute,
	})
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	// The manager normally does this; stores only ever see hashed keys.
	key := sessions.KeyOf("an-example-session-id")
	now := time.Now()
	rec := &sessions.Record{Meta: sessions.Meta{
		Created: now.UnixNano(),
		Expires: now.Add(time.Hour).UnixNano(),
		User:    "alice",
	}}
	rec.SetField("cart", "3 items")
	if err := store.Create(ctx, key, rec); err != nil {
		log.Fatal(err)
	}
	visits, err := store.Increment(ctx, key, "visits", 1)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("visits:", visits)

	// Log out everywhere.
	n, err := store.DeleteUserSessions(ctx, "alice", "")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("deleted:", n)
}

// Teams that manage migrations themselves apply the schema and set
// NoMigrate.
func ExampleSchemaFor() {
	sql, err := postgres.SchemaFor("web_sessions")
	if err != nil {
		log.Fatal(err)
	}
	_ = sql // hand it to your migration tool
}
