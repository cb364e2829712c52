package main

import (
	"encoding/base64"
	"path/filepath"
	"testing"

	"github.com/sessionkit/sessions/cmd/internal/storeurl"
	"github.com/sessionkit/sessions/cmd/internal/testenv"
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

// forEachStore runs fn against every store the demo can open: memory,
// Redis and PostgreSQL from the environment, bbolt in a temporary file.
func forEachStore(t *testing.T, fn func(t *testing.T, spec string)) {
	t.Helper()
	t.Run("memory", func(t *testing.T) { fn(t, "memory") })
	t.Run("redis", func(t *testing.T) {
		testenv.RequireRedis(t)
		fn(t, "redis://"+testenv.RedisAddr()+"/0")
	})
	t.Run("postgres", func(t *testing.T) {
		testenv.Postgres(t, storeurl.Redact)
		fn(t, testenv.PostgresURL())
	})
	t.Run("bolt", func(t *testing.T) {
		fn(t, "bolt:"+filepath.Join(t.TempDir(), "sessions.db"))
	})
	t.Run("cookie", func(t *testing.T) { fn(t, "cookie") })
}
