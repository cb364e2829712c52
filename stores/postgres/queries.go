package postgres

import (
	"math/bits"
	"strings"
)

// queries holds the store's SQL, built once per table name. Every value is
// a bind parameter; only the checked and quoted table names, and the SQL
// type of a Go int on this platform (goInt), are spliced in.
//
// Parameter conventions: $1 is the key the caller passed, $2 the
// application's current time in Unix nanoseconds.
type queries struct {
	load, clearKey, create, lock, commit, increment, lockKey, del                     string
	rename, userSessions, userLock, lockUser, deleteUser, cleanSessions, cleanAliases string
	count, migrated                                                                   string
}

// resolve is the key whose row $1 reaches: $1 itself when a row is stored
// under it (live or not: a direct row always wins), else the new key of a
// live rename alias. It follows one alias only, so a key renamed away twice
// (say, on login) is dead even if its first grace has not passed.
const resolve = `COALESCE(
	(SELECT key FROM {s} WHERE key = $1),
	(SELECT new_key FROM {a} WHERE old_key = $1 AND expires_at > $2))`

// targetSetting carries the key a commit locked from its first statement
// to its second. It is set with is_local, so it ends with the transaction.
const targetSetting = "sessionkit.commit_key"

const metaCols = `created, renewed, last_seen, auth_time, expires_at, user_id, user_agent, csrf, bind`

// goInt is the SQL type with the range of a Go int on this platform:
// bigint (int64) on a 64-bit one, integer (int32) on a 32-bit one. Increment
// returns its count as one, so that a count the codec could not decode into
// an int fails the statement (SQLSTATE 22003) and is not stored.
var goInt = func() string {
	if bits.UintSize == 64 {
		return "bigint"
	}
	return "integer"
}()

func buildQueries(table string) queries {
	r := strings.NewReplacer(
		"{s}", quote(table),
		"{v}", quote(table+"_values"),
		"{a}", quote(table+"_aliases"),
		"{resolve}", resolve,
		"{meta}", metaCols,
		"{goint}", goInt,
	)
	// The replacer runs once: expand {resolve} and {meta} first so their
	// own placeholders are replaced by the second pass.
	sql := func(s string) string { return r.Replace(r.Replace(s)) }
	return queries{
		// One round trip: the session row and its values aggregated into
		// two arrays ordered by name in byte order (Go's string order).
		load: sql(`
SELECT s.version, s.{meta}, v.names, v.vals, s.key
FROM {s} s
CROSS JOIN LATERAL (
	SELECT array_agg(name ORDER BY name COLLATE "C") AS names,
	       array_agg(value ORDER BY name COLLATE "C") AS vals
	FROM {v} WHERE key = s.key) v
WHERE s.key = {resolve} AND s.expires_at > $2`),

		// An expired row or alias must not block its key: removed in the
		// same transaction, just before the insert.
		clearKey: sql(`
WITH a AS (DELETE FROM {a} WHERE old_key = $1 AND expires_at <= $2)
DELETE FROM {s} WHERE key = $1 AND expires_at <= $2`),

		// Insert-if-absent; the values go in only when the row did.
		//   $1 key, $2.. metadata, $11/$12 names/values.
		create: sql(`
WITH ins AS (
	INSERT INTO {s} (key, version, {meta})
	SELECT $1, 1, $2::bigint, $3::bigint, $4::bigint, $5::bigint, $6::bigint, $7::text, $8::bytea, $9::bytea, $10::bytea
	WHERE NOT EXISTS (SELECT 1 FROM {a} WHERE old_key = $1)
	ON CONFLICT (key) DO NOTHING
	RETURNING key
), vals AS (
	INSERT INTO {v} (key, name, value)
	SELECT ins.key, u.name, u.value FROM ins, unnest($11::text[], $12::bytea[]) AS u(name, value)
)
SELECT count(*) FROM ins`),

		// First statement of a commit: find the live row $1 reaches, lock it
		// until the transaction ends, and hand its key to the second
		// statement in a transaction-local setting, so that the second acts
		// on exactly the row locked here (or on none). Returns whether a row
		// was locked, and whether a row under $1 itself was in this
		// statement's snapshot, live: false and true mean it changed
		// while we waited for its lock (a concurrent rename, say), and the
		// commit is worth one retry. A row of another format version is
		// locked but not handed on; its version is the third column (NULL
		// when no row was locked), so that the commit is refused as
		// corrupt, as Load refuses the row.
		lock: sql(`
WITH locked AS (
	SELECT s.key, s.version FROM {s} s WHERE s.key = {resolve} AND s.expires_at > $2
	FOR UPDATE OF s
)
SELECT set_config('` + targetSetting + `', COALESCE((SELECT key FROM locked WHERE version = 1), ''), true) <> '',
	EXISTS (SELECT 1 FROM {s} WHERE key = $1 AND expires_at > $2),
	(SELECT version FROM locked)`),

		// Second statement: the delta, on the row the first one locked.
		// Running after the lock, it sees every value committed before. No
		// value row is touched twice: deletions skip the names being set.
		//   $1 clear, $2 names to delete, $3/$4 names/values to set,
		//   $5 the metadata columns to write, as the bits of
		//   sessions.MetaField (0: none), $6.. the metadata. Columns whose
		//   bit is clear keep their value, so concurrent commits changing
		//   different metadata both survive.
		commit: sql(`
WITH t AS (SELECT key FROM {s} WHERE key = current_setting('` + targetSetting + `', true)),
del AS (
	DELETE FROM {v} v USING t
	WHERE v.key = t.key AND ($1::bool OR v.name = ANY($2::text[])) AND v.name <> ALL($3::text[])
), up AS (
	INSERT INTO {v} (key, name, value)
	SELECT t.key, u.name, u.value FROM t, unnest($3::text[], $4::bytea[]) AS u(name, value)
	ON CONFLICT (key, name) DO UPDATE SET value = EXCLUDED.value
)
UPDATE {s} s SET
	created    = CASE WHEN $5::int & 1   <> 0 THEN $6  ELSE s.created END,
	renewed    = CASE WHEN $5::int & 2   <> 0 THEN $7  ELSE s.renewed END,
	last_seen  = CASE WHEN $5::int & 4   <> 0 THEN $8  ELSE s.last_seen END,
	auth_time  = CASE WHEN $5::int & 8   <> 0 THEN $9  ELSE s.auth_time END,
	expires_at = CASE WHEN $5::int & 16  <> 0 THEN $10 ELSE s.expires_at END,
	user_id    = CASE WHEN $5::int & 32  <> 0 THEN $11 ELSE s.user_id END,
	user_agent = CASE WHEN $5::int & 64  <> 0 THEN $12 ELSE s.user_agent END,
	csrf       = CASE WHEN $5::int & 128 <> 0 THEN $13 ELSE s.csrf END,
	bind       = CASE WHEN $5::int & 256 <> 0 THEN $14 ELSE s.bind END
FROM t WHERE $5::int <> 0 AND s.key = t.key`),

		// One statement: lock the row, then add in SQL. The value must be
		// plain decimal text, what sessions.DecodeValue reads as an int
		// (EncodeValue writes none with leading zeros, another program
		// may); a text of more digits than bigint holds fails the cast.
		//   $3 field, $4 increment.
		// Returns the format version of the session row found (NULL: none;
		// a row of another version is left as it is), the new value (NULL
		// when the field holds something else), and whether a row under $1
		// was in the snapshot (see lock). A new value outside bigint, or outside
		// the range of a Go int as RETURNING casts it to goInt, fails the
		// statement with SQLSTATE 22003, and nothing is written. The bound
		// is on the new value, not on $4: the row to insert is computed
		// even when the field exists and the update is what happens.
		increment: sql(`
WITH t AS (
	SELECT s.key, s.version FROM {s} s WHERE s.key = {resolve} AND s.expires_at > $2
	FOR UPDATE OF s
), up AS (
	INSERT INTO {v} AS v (key, name, value)
	SELECT t.key, $3::text, convert_to($4::bigint::text, 'UTF8') FROM t WHERE t.version = 1
	ON CONFLICT (key, name) DO UPDATE
		SET value = convert_to((convert_from(v.value, 'UTF8')::bigint + $4::bigint)::text, 'UTF8')
		WHERE encode(v.value, 'escape') ~ '^-?[0-9]+$'
	RETURNING convert_from(v.value, 'UTF8')::{goint} AS n
)
SELECT (SELECT version FROM t), (SELECT n FROM up), EXISTS (SELECT 1 FROM {s} WHERE key = $1 AND expires_at > $2)`),

		// First statement of a delete: lock the row under $1, if any. A
		// rename holding it is waited for; the row it moved no longer
		// matches and is not locked.
		lockKey: sql(`SELECT 1 FROM {s} WHERE key = $1 FOR UPDATE`),

		// Second statement of a delete: the row under $1 (values cascade)
		// and any alias from $1, which ends a rename's grace early. Running
		// after lockKey, it sees the alias of a rename that lockKey waited
		// for (a statement sees only what committed before it started).
		del: sql(`
WITH a AS (DELETE FROM {a} WHERE old_key = $1)
DELETE FROM {s} WHERE key = $1`),

		// Second statement of a rename, after clearKey on the new key.
		//   $1 old key, $2 now, $3 new key, $4 alias expiry (0: no grace).
		// Values follow the key through ON UPDATE CASCADE. Returns the
		// format version of the old row if it was live (NULL if not; a row
		// of another version does not move), whether the new key was
		// taken, and whether the row moved; when it moved, it hands the new key to a commit
		// statement that follows (RenameCommit) as lock does, else ''.
		rename: sql(`
WITH o AS (SELECT key, version FROM {s} WHERE key = $1 AND expires_at > $2 FOR UPDATE),
taken AS (
	SELECT 1 FROM {s} WHERE key = $3
	UNION ALL
	SELECT 1 FROM {a} WHERE old_key = $3
), moved AS (
	UPDATE {s} SET key = $3 WHERE key = (SELECT key FROM o WHERE version = 1) AND NOT EXISTS (SELECT 1 FROM taken)
	RETURNING key
), drop_alias AS (
	DELETE FROM {a} WHERE old_key = $1 AND $4::bigint = 0 AND EXISTS (SELECT 1 FROM moved)
), put_alias AS (
	INSERT INTO {a} (old_key, new_key, expires_at)
	SELECT $1, $3, $4::bigint FROM moved WHERE $4::bigint > 0
	ON CONFLICT (old_key) DO UPDATE SET new_key = EXCLUDED.new_key, expires_at = EXCLUDED.expires_at
)
SELECT (SELECT version FROM o), EXISTS (SELECT 1 FROM taken), EXISTS (SELECT 1 FROM moved),
	set_config('` + targetSetting + `', COALESCE((SELECT key FROM moved), ''), true)`),

		// $1 user, $2 now. The literal user_id <> '' lets the planner use
		// the partial index for any $1.
		userSessions: sql(`
SELECT key, {meta} FROM {s}
WHERE user_id = $1 AND user_id <> '' AND expires_at > $2 AND version = 1
ORDER BY created, key`),

		// First statement of a revocation: a transaction-level advisory
		// lock on the user (userLockID), so that revocations of one user
		// run one after the other. Requests do not take it.
		//   $1 the lock key.
		userLock: `SELECT pg_advisory_xact_lock($1::bigint)`,

		// Second statement of a revocation, after the user's advisory
		// lock (userLock): lock the user's rows.
		//   $1 user, $2 key to keep.
		// A rename holding one is waited for, and its row is then locked
		// under the new key. Deleting here instead would miss that row:
		// the DELETE would look for it under its old key, in a snapshot
		// taken before the wait. Two revocations of one user never run
		// this at once: with a rename between their snapshots they would
		// see a row under different keys, lock the rows in different
		// orders and deadlock.
		lockUser: sql(`
SELECT count(*) FROM (
	SELECT key FROM {s} WHERE user_id = $1 AND user_id <> '' AND key <> $2
	ORDER BY key FOR UPDATE) l`),

		// Third statement: delete the user's rows, which it sees with
		// the keys renames gave them until lockUser got their locks, of
		// every format version (a row this package cannot read may be a
		// newer release's live session), and the aliases leading to them
		// (dead already, as they lead to no row). Returns how many of the
		// deleted rows were live, whatever their version: the count is
		// what was deleted, which can be more than UserSessions listed.
		// No index leads from new_key: the aliases are scanned, which is
		// cheap enough for a rare operation on a table of renames within
		// their grace.
		//   $1 user, $2 now, $3 key to keep.
		deleteUser: sql(`
WITH d AS (
	DELETE FROM {s} WHERE user_id = $1 AND user_id <> '' AND key <> $3
	RETURNING key, expires_at
), a AS (
	DELETE FROM {a} WHERE new_key IN (SELECT key FROM d)
)
SELECT count(*) FILTER (WHERE expires_at > $2) FROM d`),

		// $1 the quoted names of every table and index of the schema
		// (schemaObjects). True when all of them exist. A catalog lookup
		// only: it takes no lock on the tables and needs no privilege.
		migrated: `SELECT bool_and(to_regclass(n) IS NOT NULL) FROM unnest($1::text[]) AS n`,

		// $1 now. The live rows Load would serve: not expired, of the
		// format this package reads. Aliases live in their own table.
		count: sql(`SELECT count(*) FROM {s} WHERE expires_at > $1 AND version = 1`),

		// $1 now, $2 batch size. Rows another transaction holds are skipped,
		// never waited for.
		cleanSessions: sql(`
WITH d AS (
	DELETE FROM {s} WHERE key IN (
		SELECT key FROM {s} WHERE expires_at <= $1
		ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED)
	RETURNING 1
)
SELECT count(*) FROM d`),
		cleanAliases: sql(`
WITH d AS (
	DELETE FROM {a} WHERE old_key IN (
		SELECT old_key FROM {a} WHERE expires_at <= $1
		ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED)
	RETURNING 1
)
SELECT count(*) FROM d`),
	}
}
