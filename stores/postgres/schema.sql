-- Schema of the PostgreSQL session store, package
-- github.com/sessionkit/sessions/stores/postgres. Migrate runs it with the table name prefix
-- replaced by Options.Table; run it yourself and set Options.NoMigrate when
-- your team manages migrations. Every statement is idempotent.
--
-- Times are Unix nanoseconds (bigint): exact, and compared with the
-- application's clock, never the database's.

-- One row per session. key is the hex SHA-256 of the session ID, never the
-- ID itself, so a dump of this table cannot be replayed as cookies.
CREATE TABLE IF NOT EXISTS sessions (
    key        text     PRIMARY KEY CHECK (key ~ '^[0-9a-f]{64}$'),
    version    smallint NOT NULL DEFAULT 1, -- row format; others are refused as corrupt
    created    bigint   NOT NULL,
    renewed    bigint   NOT NULL,
    last_seen  bigint   NOT NULL,
    auth_time  bigint   NOT NULL,
    expires_at bigint   NOT NULL,           -- the row is dead from here on
    user_id    text     NOT NULL DEFAULT '', -- '' for anonymous sessions
    user_agent bytea    NOT NULL DEFAULT '',
    csrf       bytea    NOT NULL DEFAULT '',
    bind       bytea    NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS sessions_expires_at_idx ON sessions (expires_at);
CREATE INDEX IF NOT EXISTS sessions_user_id_idx ON sessions (user_id, created) WHERE user_id <> '';

-- One row per session value, so that a commit writes only what changed.
-- value is sessions.EncodeValue's output; an int is plain decimal text,
-- which Increment adds to in SQL.
CREATE TABLE IF NOT EXISTS sessions_values (
    key   text  NOT NULL REFERENCES sessions (key) ON DELETE CASCADE ON UPDATE CASCADE,
    name  text  NOT NULL,
    value bytea NOT NULL,
    PRIMARY KEY (key, name)
);

-- While a rename's grace lasts, old_key still reaches the session now under
-- new_key.
CREATE TABLE IF NOT EXISTS sessions_aliases (
    old_key    text   PRIMARY KEY CHECK (old_key ~ '^[0-9a-f]{64}$'),
    new_key    text   NOT NULL,
    expires_at bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_aliases_expires_at_idx ON sessions_aliases (expires_at);
