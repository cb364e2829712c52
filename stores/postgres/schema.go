package postgres

import (
	_ "embed"
	"fmt"
	"hash/fnv"
	"regexp"
	"strings"
)

// Schema is the SQL that Migrate runs for the default table name
// ("sessions"), for teams that manage migrations themselves. It is the
// embedded schema.sql; the package documentation shows it.
//
//go:embed schema.sql
var Schema string

var (
	sqlComment = regexp.MustCompile(`--[^\n]*`)
	// Identifiers in schema.sql all start with the default table name.
	schemaIdent = regexp.MustCompile(`\bsessions(_[a-z_]+)?\b`)
	validTable  = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)
	// The tables and indexes the schema creates, as schemaFor quotes them.
	schemaObject = regexp.MustCompile(`CREATE (?:TABLE|INDEX) IF NOT EXISTS ("[^"]+")`)
)

// maxTable leaves room for the longest suffix ("_aliases_expires_at_idx")
// within PostgreSQL's 63-byte identifier limit.
const maxTable = 63 - len("_aliases_expires_at_idx")

func checkTable(name string) error {
	if !validTable.MatchString(name) || len(name) > maxTable {
		return fmt.Errorf("postgres: Options.Table %q: use lowercase letters, digits and underscores, starting with a letter or underscore, at most %d bytes", name, maxTable)
	}
	return nil
}

// SchemaFor returns the schema SQL with every table and index named after
// table instead of "sessions", as Migrate runs it. table must satisfy the
// rules of Options.Table.
func SchemaFor(table string) (string, error) {
	if err := checkTable(table); err != nil {
		return "", err
	}
	return schemaFor(table), nil
}

func schemaFor(table string) string {
	s := sqlComment.ReplaceAllString(Schema, "")
	return schemaIdent.ReplaceAllStringFunc(s, func(id string) string {
		return quote(table + strings.TrimPrefix(id, "sessions"))
	})
}

// schemaObjects returns the quoted names of the tables and indexes that
// schemaFor(table) creates.
func schemaObjects(table string) []string {
	var names []string
	for _, m := range schemaObject.FindAllStringSubmatch(schemaFor(table), -1) {
		names = append(names, m[1])
	}
	return names
}

// quote quotes an identifier already checked by checkTable (so it holds no
// quote character); quoting keeps reserved words such as "user" usable.
func quote(ident string) string { return `"` + ident + `"` }

// lockID is the advisory lock key under which Migrate runs, so that
// instances starting together do not race to create the same tables.
func lockID(table string) int64 {
	h := fnv.New64a()
	h.Write([]byte("sessionkit/sessions/stores/postgres:" + table))
	return int64(h.Sum64())
}

// userLockID is the advisory lock key under which DeleteUserSessions
// revokes user's sessions in table. Two users may share a key: their
// revocations then wait for each other, which is harmless.
func userLockID(table, user string) int64 {
	h := fnv.New64a()
	h.Write([]byte("sessionkit/sessions/stores/postgres:" + table + ":user\x00" + user))
	return int64(h.Sum64())
}
