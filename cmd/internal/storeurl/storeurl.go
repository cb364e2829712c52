// Package storeurl opens a session store from the URL-like text the demo
// and sessionsctl take in their -store flag.
package storeurl

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/bolt"
	"github.com/sessionkit/sessions/stores/memory"
	"github.com/sessionkit/sessions/stores/postgres"
	"github.com/sessionkit/sessions/stores/redis"
)

// Usage lists the accepted store specifications.
const Usage = "memory, redis://HOST:PORT/DB, redis+cluster://HOST:PORT,HOST:PORT,..., postgres://..., bolt:PATH or cookie"

// ServerUsage lists the specifications of the stores whose sessions a tool
// can reach from outside the server using them: those that keep sessions
// on a database server or in a file, not in the server's memory or in its
// clients' cookies.
const ServerUsage = "redis://HOST:PORT/DB, redis+cluster://HOST:PORT,HOST:PORT,..., postgres://... or bolt:PATH"

// ErrSpec is wrapped by the error Open and OpenExisting return for a
// specification they cannot read (an unknown scheme, a bolt: without a
// path, a Redis or PostgreSQL URL its parser refuses): a mistake in the
// command line, not a store that failed.
var ErrSpec = errors.New("bad -store")

// specError is an error in a store specification: the error it holds,
// whose text it keeps, and ErrSpec.
type specError struct{ error }

func (e specError) Unwrap() []error { return []error{ErrSpec, e.error} }

// lowerScheme returns spec with its scheme (what comes before the first
// ':', or all of it) in lower case: a URL scheme is case-insensitive (RFC
// 3986, section 3.1), and the PostgreSQL driver, which is handed the whole
// specification, reads only a lower-case one as a URL. The rest, a bolt
// path or a password, keeps its case.
func lowerScheme(spec string) string {
	scheme, rest, found := strings.Cut(spec, ":")
	if !found {
		return strings.ToLower(spec)
	}
	return strings.ToLower(scheme) + ":" + rest
}

// badSpec returns the error msg about a store specification.
func badSpec(msg string) error { return specError{errors.New(msg)} }

// Open turns a store specification into a store and a function that
// releases it. key is the cookie store's key text (base64 or hex).
func Open(ctx context.Context, spec, key string) (sessions.Store, func(), error) {
	spec = lowerScheme(spec)
	scheme, rest, _ := strings.Cut(spec, ":")
	switch scheme {
	case "memory":
		s := memory.New(memory.Options{})
		return s, func() { s.Close() }, nil
	case "redis", "rediss", "redis+cluster", "rediss+cluster":
		s, err := redis.NewFromURL(spec)
		if errors.Is(err, sessions.ErrConfig) { // the URL, which is all it reads
			return nil, nil, specError{err}
		}
		if err != nil {
			return nil, nil, err
		}
		return s, func() { s.Close() }, nil
	case "postgres", "postgresql":
		return openPostgres(ctx, spec, postgres.Options{})
	case "bolt":
		path, err := boltPath(spec, rest)
		if err != nil {
			return nil, nil, err
		}
		s, err := bolt.Open(path, bolt.Options{})
		if err != nil {
			return nil, nil, err
		}
		return s, func() { s.Close() }, nil
	case "cookie":
		return openCookieStore(key)
	}
	return nil, nil, badSpec(fmt.Sprintf("unknown -store %q: use %s", Redact(spec), Usage))
}

// OpenExisting is Open for tools that inspect the sessions of a running
// server (sessionsctl), which must find the server's sessions, not make a
// new, empty store in which every lookup would find nothing and every
// revocation would report success while the server's sessions live on. So
// it creates nothing: a bolt:PATH naming no file, an empty one, or a bbolt
// database without the store's bucket, is an error rather than a new
// database, and a postgres:// URL is opened without Migrate (a database,
// or search_path, without the sessions table is an error rather than one
// given new tables) and without the background cleaner, which is the
// server's job.
func OpenExisting(ctx context.Context, spec, key string) (sessions.Store, func(), error) {
	spec = lowerScheme(spec)
	switch scheme, rest, _ := strings.Cut(spec, ":"); scheme {
	case "bolt":
		path, err := boltPath(spec, rest)
		if err != nil {
			return nil, nil, err
		}
		fi, err := os.Stat(path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil, fmt.Errorf("-store %s: no session database at %s; give the path of the file the server uses", Redact(spec), Redact(path))
		}
		// bbolt makes an empty file a new database.
		if err == nil && fi.Mode().IsRegular() && fi.Size() == 0 {
			return nil, nil, fmt.Errorf("-store %s: %s is empty, not a session database; give the path of the file the server uses", Redact(spec), Redact(path))
		}
		// bolt.Open gives a database without them the store's buckets.
		if err := checkBoltSessions(spec, path); err != nil && !errors.Is(err, errNoBoltPeek) {
			return nil, nil, err
		}
	case "postgres", "postgresql":
		return openPostgres(ctx, spec, postgres.Options{NoMigrate: true, CleanupInterval: -1})
	case "redis", "rediss", "redis+cluster", "rediss+cluster", "memory", "cookie":
	default:
		return nil, nil, badSpec(fmt.Sprintf("unknown -store %q: use %s", Redact(spec), ServerUsage))
	}
	return Open(ctx, spec, key)
}

// openPostgres opens the PostgreSQL store at the URL spec with opts. With
// opts.NoMigrate it checks that the store's tables are there, so that a
// URL naming the wrong database fails here, saying so.
func openPostgres(ctx context.Context, spec string, opts postgres.Options) (sessions.Store, func(), error) {
	pool, err := pgxpool.New(ctx, spec)
	if pce := (*pgconn.ParseConfigError)(nil); errors.As(err, &pce) {
		return nil, nil, specError{fmt.Errorf("-store %s: %w", Redact(spec), err)}
	}
	if err != nil {
		return nil, nil, fmt.Errorf("-store %s: %w", Redact(spec), err)
	}
	if opts.NoMigrate {
		if err := checkTables(ctx, pool, spec); err != nil {
			pool.Close()
			return nil, nil, err
		}
	}
	s, err := postgres.New(ctx, pool, opts)
	if err != nil {
		pool.Close()
		return nil, nil, err
	}
	return s, func() { s.Close(); pool.Close() }, nil
}

// checkTables returns an error unless the database pool connects to has
// the default tables of the PostgreSQL store where its search_path finds
// them.
func checkTables(ctx context.Context, pool *pgxpool.Pool, spec string) error {
	table := postgres.DefaultTable
	var (
		db, path string
		missing  []string
	)
	err := pool.QueryRow(ctx, `
SELECT current_database(), current_setting('search_path'),
	array(SELECT t FROM unnest($1::text[]) AS t WHERE to_regclass(quote_ident(t)) IS NULL)`,
		[]string{table, table + "_values", table + "_aliases"}).Scan(&db, &path, &missing)
	if err != nil {
		return fmt.Errorf("-store %s: %w", Redact(spec), err)
	}
	if len(missing) == 0 {
		return nil
	}
	return fmt.Errorf("-store %s: no sessions table %q in database %q (search_path %s); point -store at the database, and schema, the server keeps its sessions in (nothing is created here)",
		Redact(spec), missing[0], db, path)
}

// boltPath returns the file path of the bolt:PATH specification spec, whose
// text after "bolt:" is rest.
func boltPath(spec, rest string) (string, error) {
	if rest == "" {
		return "", badSpec("-store bolt:PATH needs a file path, e.g. bolt:./sessions.db")
	}
	// bolt:///abs/path is a file URL's spelling of /abs/path; but
	// bolt://NAME would be the path //NAME, that is /NAME, at the root
	// of the file system, never what was meant.
	if after, ok := strings.CutPrefix(rest, "//"); ok {
		if !strings.HasPrefix(after, "/") {
			// The text after "//" is echoed only when it holds no
			// password: a URL's user information may.
			if shown := Redact(spec); shown != spec {
				return "", badSpec(fmt.Sprintf("-store %s: bolt takes bolt:PATH, not a URL; write bolt:RELATIVE/PATH or bolt:///ABSOLUTE/PATH", shown))
			}
			return "", badSpec(fmt.Sprintf("-store %s: bolt takes bolt:PATH, not a URL; write bolt:%s for a relative path or bolt:///ABSOLUTE/PATH", spec, after))
		}
		rest = after
	}
	return rest, nil
}

// Redact hides a password in a store URL for logs: the one in the user
// information, and the password or sslpassword query parameter, where
// PostgreSQL URLs may carry it too. Text is a URL when "://" comes before
// any "=". A URL net/url cannot parse, or parses without a scheme and an
// authority, keeps only what precedes "://", as it may hold a password in a
// form Redact cannot find. Text that is no URL, such as a PostgreSQL
// key/value connection string ("host=db password=..."), has its password
// and sslpassword values hidden, whatever they hold, and whatever looks
// like a URL's user information ("://user:password@").
func Redact(s string) string {
	// A URL's scheme holds no "=", a key/value string's first keyword
	// ends at one: "host=db password=a://b" is no URL.
	sep, eq := strings.Index(s, "://"), strings.IndexByte(s, '=')
	if sep < 0 || (eq >= 0 && eq < sep) {
		s = kvPassword.ReplaceAllString(s, "${1}xxxxx")
		return kvUserinfo.ReplaceAllString(s, "://xxxxx@")
	}
	u, err := url.Parse(s)
	if err != nil || len(u.Scheme) != sep {
		// Not a URL whose scheme ends at "://" ("#://u:p@h" parses as a
		// fragment, "a:#://u:p@h" as a scheme and a fragment): the
		// password may be anywhere after "://".
		return s[:sep] + "://xxxxx"
	}
	hidden := false
	if u.RawQuery != "" {
		// Pair by pair on the raw text: url.Values drops a pair whose
		// value does not decode (a password with a stray %), which would
		// leave that password in place.
		pairs := strings.Split(u.RawQuery, "&")
		for i, pair := range pairs {
			key, _, _ := strings.Cut(pair, "=")
			name, err := url.QueryUnescape(key)
			if err != nil {
				name = key
			}
			if strings.EqualFold(name, "password") || strings.EqualFold(name, "sslpassword") {
				pairs[i] = key + "=xxxxx"
				hidden = true
			}
		}
		if hidden {
			u.RawQuery = strings.Join(pairs, "&")
		}
	}
	if u.User == nil && !hidden {
		return s
	}
	return u.Redacted()
}

// kvUserinfo finds what looks like a URL's user information in text that
// is no URL ("=://u:p@h"): it may be a password all the same, and, as the
// text is no URL, one holding whitespace.
var kvUserinfo = regexp.MustCompile(`://[^/?#]*@`)

// kvPassword finds the password and sslpassword values of a key/value
// connection string: a bare word or a single-quoted value, in both of which
// a backslash escapes the next character ("a\ b" is one word), as pgx and
// libpq read them. Their whitespace includes \v, which \s does not.
var kvPassword = regexp.MustCompile(`(?is)((?:^|[^a-z0-9_])(?:ssl)?password[ \t\n\r\v\f]*=[ \t\n\r\v\f]*)('(?:[^'\\]|\\.)*'?|(?:[^ \t\n\r\v\f\\]|\\.)*\\?)`)
