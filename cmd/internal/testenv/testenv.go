// Package testenv gives the cmd module's tests the real servers they run
// against: the Redis at SESSIONS_REDIS_ADDR and the PostgreSQL at
// SESSIONS_POSTGRES_URL, with the machine's defaults. A test whose server
// cannot be reached is skipped with a message holding SKIP-NO-SERVER, which
// .ci/run turns into a failure.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// RedisAddr is the Redis server's address: $SESSIONS_REDIS_ADDR, else
// 127.0.0.1:6379.
func RedisAddr() string {
	if a := os.Getenv("SESSIONS_REDIS_ADDR"); a != "" {
		return a
	}
	return "127.0.0.1:6379"
}

// PostgresURL is the PostgreSQL database's URL: $SESSIONS_POSTGRES_URL,
// else the machine's trust-auth database test on 127.0.0.1:5432.
func PostgresURL() string {
	if u := os.Getenv("SESSIONS_POSTGRES_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

// RequireRedis skips t unless the Redis server accepts a connection, and
// returns its address.
func RequireRedis(t testing.TB) string {
	t.Helper()
	addr := RedisAddr()
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		t.Skipf("SKIP-NO-SERVER: redis not reachable at %s (set SESSIONS_REDIS_ADDR): %v", addr, err)
	}
	c.Close()
	return addr
}

// Postgres returns a connection to the PostgreSQL database, closed when t
// ends, or skips t when the database cannot be reached. redact hides a
// password of the URL in the skip message.
func Postgres(t testing.TB, redact func(string) string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, PostgresURL())
	if err != nil {
		t.Skipf("SKIP-NO-SERVER: postgres not reachable at %s (set SESSIONS_POSTGRES_URL): %v", redact(PostgresURL()), err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// FreshSchema creates an empty schema whose name starts with prefix,
// dropped with everything in it when t ends, and returns its name, a
// connection to the database, and the database URL with its search_path
// set to the schema, so a store opened from that URL keeps its tables
// there. It skips t as Postgres does.
func FreshSchema(t testing.TB, prefix string, redact func(string) string) (schema string, conn *pgx.Conn, schemaURL string) {
	t.Helper()
	conn = Postgres(t, redact)
	var b [6]byte
	rand.Read(b[:])
	schema = prefix + hex.EncodeToString(b[:])
	if _, err := conn.Exec(context.Background(), "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := conn.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("dropping schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(PostgresURL())
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return schema, conn, u.String()
}
