package main

import (
	"context"
	"encoding/base64"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/sessionkit/sessions/stores/cookie"
)

// testCookieKey is a throwaway key for the cookie store, drawn per run.
var testCookieKey = func() string {
	k, err := cookie.GenerateKey()
	if err != nil {
		panic(err)
	}
	return base64.StdEncoding.EncodeToString(k)
}()

func redisAddr() string {
	if a := os.Getenv("SESSIONS_REDIS_ADDR"); a != "" {
		return a
	}
	return "127.0.0.1:6379"
}

func postgresURL() string {
	if u := os.Getenv("SESSIONS_POSTGRES_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

func requireTCP(t *testing.T, what, addr string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		t.Skipf("SKIP-NO-SERVER: %s not reachable at %s: %v", what, addr, err)
	}
	c.Close()
}

func requirePostgres(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, postgresURL())
	if err != nil {
		t.Skipf("SKIP-NO-SERVER: postgres not reachable at %s: %v", postgresURL(), err)
	}
	conn.Close(ctx)
}

// forEachStore runs fn against every store the demo can open: memory,
// Redis and PostgreSQL from the environment, bbolt in a temporary file.
func forEachStore(t *testing.T, fn func(t *testing.T, spec string)) {
	t.Helper()
	t.Run("memory", func(t *testing.T) { fn(t, "memory") })
	t.Run("redis", func(t *testing.T) {
		requireTCP(t, "redis", redisAddr())
		fn(t, "redis://"+redisAddr()+"/0")
	})
	t.Run("postgres", func(t *testing.T) {
		requirePostgres(t)
		fn(t, postgresURL())
	})
	t.Run("bolt", func(t *testing.T) {
		fn(t, "bolt:"+filepath.Join(t.TempDir(), "sessions.db"))
	})
	t.Run("cookie", func(t *testing.T) { fn(t, "cookie") })
}
