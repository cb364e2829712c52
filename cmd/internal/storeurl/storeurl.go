// Package storeurl opens a session store from the URL-like text the demo
// and sessionsctl take in their -store flag.
package storeurl

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/bolt"
	"github.com/sessionkit/sessions/stores/memory"
	"github.com/sessionkit/sessions/stores/postgres"
	"github.com/sessionkit/sessions/stores/redis"
)

// Usage lists the accepted store specifications.
const Usage = "memory, redis://HOST:PORT/DB, redis+cluster://HOST:PORT,HOST:PORT,..., postgres://..., bolt:PATH or cookie"

// Open turns a store specification into a store and a function that
// releases it. key is the cookie store's key text (base64 or hex).
func Open(ctx context.Context, spec, key string) (sessions.Store, func(), error) {
	scheme, rest, _ := strings.Cut(spec, ":")
	switch scheme {
	case "memory":
		s := memory.New(memory.Options{})
		return s, func() { s.Close() }, nil
	case "redis", "rediss", "redis+cluster", "rediss+cluster":
		s, err := redis.NewFromURL(spec)
		if err != nil {
			return nil, nil, err
		}
		return s, func() { s.Close() }, nil
	case "postgres", "postgresql":
		pool, err := pgxpool.New(ctx, spec)
		if err != nil {
			return nil, nil, fmt.Errorf("-store %s: %w", Redact(spec), err)
		}
		s, err := postgres.New(ctx, pool, postgres.Options{})
		if err != nil {
			pool.Close()
			return nil, nil, err
		}
		return s, func() { s.Close(); pool.Close() }, nil
	case "bolt":
		if rest == "" {
			return nil, nil, fmt.Errorf("-store bolt:PATH needs a file path, e.g. bolt:./sessions.db")
		}
		s, err := bolt.Open(rest, bolt.Options{})
		if err != nil {
			return nil, nil, err
		}
		return s, func() { s.Close() }, nil
	case "cookie":
		return openCookieStore(key)
	}
	return nil, nil, fmt.Errorf("unknown -store %q: use %s", Redact(spec), Usage)
}

// Redact hides a password in a store URL for logs: the one in the user
// information, and the password or sslpassword query parameter, where
// PostgreSQL URLs may carry it too. A URL net/url cannot parse keeps only
// its scheme, as it may hold a password in a form Redact cannot find.
func Redact(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		if scheme, _, ok := strings.Cut(s, "://"); ok {
			return scheme + "://xxxxx"
		}
		return s
	}
	hidden := false
	if u.RawQuery != "" {
		q := u.Query()
		for k := range q {
			if strings.EqualFold(k, "password") || strings.EqualFold(k, "sslpassword") {
				q.Set(k, "xxxxx")
				hidden = true
			}
		}
		if hidden {
			u.RawQuery = q.Encode()
		}
	}
	if u.User == nil && !hidden {
		return s
	}
	return u.Redacted()
}
