// Package postgres is a [sessions.Store] kept in PostgreSQL through pgx v5
// ([pgxpool.Pool]). It also implements [sessions.UserIndex] and
// [sessions.Counter]. Any number of application instances can share one
// database.
//
// # Use
//
// Pass the pool the application already has; [New] creates the tables
// unless [Options.NoMigrate] is set:
//
//	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
//	if err != nil {
//		log.Fatal(err)
//	}
//	store, err := postgres.New(ctx, pool, postgres.Options{})
//	if err != nil {
//		log.Fatal(err)
//	}
//	defer store.Close()
//	m, err := sessions.NewManager(store, sessions.Options{})
//
// # Round trips and atomicity
//
// Every operation is one round trip and atomic. A write of several
// statements is sent as one pgx batch holding BEGIN ISOLATION LEVEL READ
// COMMITTED, the statements and COMMIT: if any statement fails, the server
// skips the rest and none takes effect. (The level is named because the
// statements rely on it, whatever the database's default.)
//
//   - Load is one query joining the session row with its values (aggregated
//     into arrays). It filters on expires_at, so an expired row is never
//     served, deleted or not.
//   - Create deletes an expired row or alias under the key, then inserts the
//     row and its values only if the key is free (INSERT ... ON CONFLICT DO
//     NOTHING); a taken key is [sessions.ErrExists].
//   - Commit locks the live row (SELECT ... FOR UPDATE) and passes its key
//     to a second statement in a transaction-local setting; that statement,
//     which therefore sees every earlier commit, deletes the removed values,
//     upserts the set ones and writes the metadata columns the delta
//     changed (Delta.MetaFields), leaving the others. Only the delta travels.
//     It never inserts a session row: a missing or expired one is
//     [sessions.ErrNotFound]. Concurrent commits to different values of one
//     session all survive. A commit whose row was renamed while it waited
//     for the lock is retried once, through the rename's alias.
//   - Increment locks the row and adds in SQL, in one statement: ints are
//     stored as plain decimal text by [sessions.EncodeValue]. It retries
//     like Commit.
//   - Rename updates the row's key (values follow by ON UPDATE CASCADE) and,
//     with a grace period, records an alias old key → new key in the aliases
//     table. Load, Commit and Increment resolve a live alias; Delete of the
//     old key removes it. An alias reaches only the key it was made for: once
//     that key is renamed again (say on login), the older key is dead.
//   - Delete and DeleteUserSessions first lock the rows they delete, then
//     delete them (with their aliases) in a second statement, which sees
//     what a rename holding a lock meanwhile did: a session rotated during
//     "log out everywhere" is deleted under its new key, and Delete of a
//     key being renamed ends the rename's grace. DeleteUserSessions first
//     takes a transaction-level advisory lock on the user, so that two
//     revocations of one user run one after the other instead of
//     deadlocking over rows a rename showed them under different keys.
//
// Every value is a bind parameter; the only identifiers spliced into SQL are
// the table names, which [Options.Table] restricts to lowercase letters,
// digits and underscores, and which are quoted.
//
// # Expiry
//
// Expired rows are never served. A background cleaner deletes them every
// [Options.CleanupInterval], [Options.CleanupBatch] rows per statement,
// picked through the expires_at index with FOR UPDATE SKIP LOCKED: it never
// locks the table and never waits on a request. [Store.Close] stops it and
// waits for it to exit.
//
// # Errors
//
// Connection failures, timeouts, a closed pool, a server shutting down, a
// read-only server (a hot standby after a failover) and a row lock not
// granted within lock_timeout wrap [sessions.ErrStoreUnavailable]. A row
// with an unknown format version or an undecodable value is an error
// wrapping [sessions.ErrCorrupt]; the key can still be deleted.
//
// A write whose context ends (or whose connection drops) after PostgreSQL
// received its COMMIT can have taken effect although the call returns an
// error: the outcome of a transaction is unknown until its reply arrives,
// with any database. The store does not repeat a write; a caller that
// does (or a client that sends its request again) should know that a
// repeated Commit writes its values once more, which can undo another
// request's write in between, and a repeated Increment counts twice.
//
// # Rows of another format version
//
// The version column names a row's format; this package reads version 1
// only. A row of another version (one written by a newer release sharing
// the database, say) is not a session this package can use: Load refuses
// it as corrupt, and so do Commit, Increment, Rename and RenameCommit,
// which leave it as it is; UserSessions does not list it and Count does
// not count it. It may still be a live session for the release that wrote it, so
// every deletion removes it: Delete of its key, and DeleteUserSessions of
// its user_id, since "log out everywhere" that left it would leave the
// user logged in on the newer release. DeleteUserSessions counts every
// live row it deleted, of any version, so its count can exceed the number
// of sessions UserSessions listed just before.
//
// # Schema
//
// [Store.Migrate] runs this SQL (the embedded [Schema]) with the "sessions" prefix
// of every table and index replaced by [Options.Table]; [SchemaFor] returns
// it for another table name. When every table and index exists already it
// only looks them up, so that an instance starting beside busy ones takes
// no lock on the tables and needs no privilege to create them. Teams that
// manage migrations themselves apply it and set [Options.NoMigrate].
//
//	-- Schema of the PostgreSQL session store, package
//	-- github.com/sessionkit/sessions/stores/postgres. Migrate runs it with the table name prefix
//	-- replaced by Options.Table; run it yourself and set Options.NoMigrate when
//	-- your team manages migrations. Every statement is idempotent.
//	--
//	-- Times are Unix nanoseconds (bigint): exact, and compared with the
//	-- application's clock, never the database's.
//
//	-- One row per session. key is the hex SHA-256 of the session ID, never the
//	-- ID itself, so a dump of this table cannot be replayed as cookies.
//	CREATE TABLE IF NOT EXISTS sessions (
//	    key        text     PRIMARY KEY CHECK (key ~ '^[0-9a-f]{64}$'),
//	    version    smallint NOT NULL DEFAULT 1, -- row format; others are refused as corrupt
//	    created    bigint   NOT NULL,
//	    renewed    bigint   NOT NULL,
//	    last_seen  bigint   NOT NULL,
//	    auth_time  bigint   NOT NULL,
//	    expires_at bigint   NOT NULL,           -- the row is dead from here on
//	    user_id    text     NOT NULL DEFAULT '', -- '' for anonymous sessions
//	    user_agent bytea    NOT NULL DEFAULT '',
//	    csrf       bytea    NOT NULL DEFAULT '',
//	    bind       bytea    NOT NULL DEFAULT ''
//	);
//	CREATE INDEX IF NOT EXISTS sessions_expires_at_idx ON sessions (expires_at);
//	CREATE INDEX IF NOT EXISTS sessions_user_id_idx ON sessions (user_id, created) WHERE user_id <> '';
//
//	-- One row per session value, so that a commit writes only what changed.
//	-- value is sessions.EncodeValue's output; an int is plain decimal text,
//	-- which Increment adds to in SQL.
//	CREATE TABLE IF NOT EXISTS sessions_values (
//	    key   text  NOT NULL REFERENCES sessions (key) ON DELETE CASCADE ON UPDATE CASCADE,
//	    name  text  NOT NULL,
//	    value bytea NOT NULL,
//	    PRIMARY KEY (key, name)
//	);
//
//	-- While a rename's grace lasts, old_key still reaches the session now under
//	-- new_key.
//	CREATE TABLE IF NOT EXISTS sessions_aliases (
//	    old_key    text   PRIMARY KEY CHECK (old_key ~ '^[0-9a-f]{64}$'),
//	    new_key    text   NOT NULL,
//	    expires_at bigint NOT NULL
//	);
//	CREATE INDEX IF NOT EXISTS sessions_aliases_expires_at_idx ON sessions_aliases (expires_at);
package postgres
