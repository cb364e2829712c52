package postgres

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/storetest"
)

const defaultURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

var (
	poolOnce sync.Once
	pool     *pgxpool.Pool
	poolErr  error
	sent     atomic.Int64 // statements and batches sent through pool, see counter
)

func TestMain(m *testing.M) {
	code := m.Run()
	if pool != nil {
		pool.Close()
	}
	os.Exit(code)
}

func databaseURL() string {
	if u := os.Getenv("SESSIONS_POSTGRES_URL"); u != "" {
		return u
	}
	return defaultURL
}

// redacted hides a password in u for messages.
func redacted(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "(unparsable SESSIONS_POSTGRES_URL)"
	}
	return p.Redacted()
}

// testPool returns the shared pool, or skips the test with SKIP-NO-SERVER
// when PostgreSQL cannot be reached.
func testPool(t *testing.T) *pgxpool.Pool {
	t.Helper()
	poolOnce.Do(func() {
		cfg, err := pgxpool.ParseConfig(databaseURL())
		if err != nil {
			poolErr = err
			return
		}
		cfg.ConnConfig.Tracer = counter{}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		p, err := pgxpool.NewWithConfig(ctx, cfg)
		if err == nil {
			err = p.Ping(ctx)
		}
		if err != nil {
			if p != nil {
				p.Close()
			}
			poolErr = err
			return
		}
		pool = p
	})
	if poolErr != nil {
		t.Skipf("SKIP-NO-SERVER: postgres not reachable at %s (set SESSIONS_POSTGRES_URL): %v", redacted(databaseURL()), poolErr)
	}
	return pool
}

// counter counts what the pool sends: one per query and one per batch.
type counter struct{}

func (counter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	sent.Add(1)
	return ctx
}
func (counter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}
func (counter) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	sent.Add(1)
	return ctx
}
func (counter) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}
func (counter) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData)     {}

func randomTable(t *testing.T) string {
	t.Helper()
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return "sessions_test_" + hex.EncodeToString(b[:])
}

// dropTables drops the store tables named after table when the test ends.
func dropTables(t *testing.T, p *pgxpool.Pool, table string) {
	t.Helper()
	t.Cleanup(func() {
		sql := fmt.Sprintf(`DROP TABLE IF EXISTS %s, %s, %s`,
			quote(table+"_values"), quote(table+"_aliases"), quote(table))
		if _, err := p.Exec(context.Background(), sql); err != nil {
			t.Errorf("dropping test tables: %v", err)
		}
	})
}

// newTestStore returns a store on a fresh table of its own, closed and
// dropped when the test ends.
func newTestStore(t *testing.T, opts Options) *Store {
	t.Helper()
	p := testPool(t)
	if opts.Table == "" {
		opts.Table = randomTable(t)
	}
	dropTables(t, p, opts.Table)
	s, err := New(t.Context(), p, opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// exec runs SQL against the store's tables; {s}, {v} and {a} name them.
func exec(t *testing.T, s *Store, sql string, args ...any) {
	t.Helper()
	sql = strings.NewReplacer("{s}", quote(s.table), "{v}", quote(s.table+"_values"), "{a}", quote(s.table+"_aliases")).Replace(sql)
	if _, err := s.pool.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func rowCount(t *testing.T, s *Store, table string) int {
	t.Helper()
	var n int
	if err := s.pool.QueryRow(context.Background(), "SELECT count(*) FROM "+quote(table)).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestConformance(t *testing.T) {
	testPool(t)
	storetest.Run(t, conformanceHarness(Options{}))
}

// TestConformanceSweeping runs the suite with the cleaner running every
// 20 ms, so that every check runs while it deletes expired records and
// grace aliases: it must never delete a live one. (With the default
// interval no cleanup falls within the suite.)
func TestConformanceSweeping(t *testing.T) {
	testPool(t)
	storetest.Run(t, conformanceHarness(Options{CleanupInterval: 20 * time.Millisecond}))
}

// conformanceHarness gives the conformance suite stores opened with o.
func conformanceHarness(o Options) storetest.Harness {
	return storetest.Harness{
		New: func(t *testing.T) sessions.Store { return newTestStore(t, o) },
		Corrupt: func(t *testing.T, st sessions.Store, key string) {
			exec(t, st.(*Store), `UPDATE {s} SET version = 99 WHERE key = $1`, key)
		},
	}
}

func TestCorruptRows(t *testing.T) {
	s := newTestStore(t, Options{MaxValueSize: 64})
	for _, c := range []struct {
		name string
		sql  string
		args []any
	}{
		{"unknown version", `UPDATE {s} SET version = 2 WHERE key = $1`, nil},
		{"unknown value tag", `UPDATE {v} SET value = '\x00ff'::bytea WHERE key = $1`, nil},
		{"empty value", `UPDATE {v} SET value = ''::bytea WHERE key = $1`, nil},
		{"bad integer", `UPDATE {v} SET value = '12x'::bytea WHERE key = $1`, nil},
		{"truncated list", `UPDATE {v} SET value = 'L'::bytea || '\x05'::bytea WHERE key = $1`, nil},
		{"oversized value", `UPDATE {v} SET value = convert_to('s' || repeat('a', 100), 'UTF8') WHERE key = $1`, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := t.Context()
			key := storetest.NewKey(t)
			if err := s.Create(ctx, key, storetest.NewRecord(time.Hour, "role", "admin")); err != nil {
				t.Fatal(err)
			}
			exec(t, s, c.sql, append([]any{key}, c.args...)...)
			if rec, found, err := s.Load(ctx, key); !errors.Is(err, sessions.ErrCorrupt) || found {
				t.Fatalf("Load = %+v, %v, %v; want an ErrCorrupt error", rec, found, err)
			}
			if err := s.Delete(ctx, key); err != nil {
				t.Fatalf("Delete: %v", err)
			}
			if _, found, err := s.Load(ctx, key); found || err != nil {
				t.Fatalf("after Delete: %v, %v", found, err)
			}
		})
	}
}

func TestCleanerRemovesExpiredWithoutReads(t *testing.T) {
	s := newTestStore(t, Options{CleanupInterval: 50 * time.Millisecond, CleanupBatch: 3})
	ctx := t.Context()
	var short []string
	for range 10 {
		key := storetest.NewKey(t)
		if err := s.Create(ctx, key, storetest.NewRecord(300*time.Millisecond, "a", 1, "b", "x")); err != nil {
			t.Fatal(err)
		}
		short = append(short, key)
	}
	if err := s.Rename(ctx, short[0], storetest.NewKey(t), 200*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	long := storetest.NewKey(t)
	if err := s.Create(ctx, long, storetest.NewRecord(time.Hour, "keep", true)); err != nil {
		t.Fatal(err)
	}
	// A session a commit extended is not deleted for its first deadline.
	extended := storetest.NewKey(t)
	if err := s.Create(ctx, extended, storetest.NewRecord(200*time.Millisecond, "keep", true)); err != nil {
		t.Fatal(err)
	}
	meta := storetest.NewRecord(time.Hour).Meta
	if err := s.Commit(ctx, extended, &sessions.Delta{Meta: &meta}); err != nil {
		t.Fatal(err)
	}
	if n := rowCount(t, s, s.table); n != 12 {
		t.Fatalf("%d rows before expiry, want 12", n)
	}

	deadline := time.Now().Add(10 * time.Second)
	for rowCount(t, s, s.table) != 2 || rowCount(t, s, s.table+"_aliases") != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("cleaner left %d sessions and %d aliases, want 2 and 0",
				rowCount(t, s, s.table), rowCount(t, s, s.table+"_aliases"))
		}
		time.Sleep(25 * time.Millisecond)
	}
	if n := rowCount(t, s, s.table+"_values"); n != 2 {
		t.Errorf("%d value rows left, want 2 (the live sessions')", n)
	}
	for _, key := range []string{long, extended} {
		if _, found, err := s.Load(ctx, key); !found || err != nil {
			t.Errorf("live session %s… gone: %v, %v", key[:8], found, err)
		}
	}
}

func TestCleanupByHand(t *testing.T) {
	s := newTestStore(t, Options{CleanupInterval: -1, CleanupBatch: 2})
	ctx := t.Context()
	for range 5 {
		if err := s.Create(ctx, storetest.NewKey(t), storetest.NewRecord(-time.Second, "x", 1)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Create(ctx, storetest.NewKey(t), storetest.NewRecord(time.Hour)); err != nil {
		t.Fatal(err)
	}
	n, err := s.Cleanup(ctx)
	if err != nil || n != 5 {
		t.Fatalf("Cleanup = %d, %v; want 5", n, err)
	}
	if n := rowCount(t, s, s.table); n != 1 {
		t.Fatalf("%d sessions left, want 1", n)
	}
}

// cleaners counts the running cleaner goroutines of this package.
func cleaners() int {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	return strings.Count(string(buf), "stores/postgres.(*Store).clean(")
}

func waitCleaners(t *testing.T, want int) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for cleaners() != want {
		if time.Now().After(deadline) {
			t.Fatalf("%d cleaner goroutines running, want %d", cleaners(), want)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestCloseStopsCleaner(t *testing.T) {
	p := testPool(t)
	table := randomTable(t)
	dropTables(t, p, table)
	before := cleaners()
	s, err := New(t.Context(), p, Options{Table: table, CleanupInterval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	waitCleaners(t, before+1)
	time.Sleep(20 * time.Millisecond) // let it run a few times
	for range 2 {
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
	}
	waitCleaners(t, before)

	ctx := t.Context()
	key, other := storetest.NewKey(t), storetest.NewKey(t)
	d := &sessions.Delta{Set: []sessions.Field{{Key: "k", Value: "v"}}}
	for _, c := range []struct {
		method string
		call   func() error
	}{
		{"Load", func() error { _, _, err := s.Load(ctx, key); return err }},
		{"Create", func() error { return s.Create(ctx, key, storetest.NewRecord(time.Hour)) }},
		{"Commit", func() error { return s.Commit(ctx, key, d) }},
		{"Delete", func() error { return s.Delete(ctx, key) }},
		{"Increment", func() error { _, err := s.Increment(ctx, key, "n", 1); return err }},
		{"Rename", func() error { return s.Rename(ctx, key, other, time.Second) }},
		{"RenameCommit", func() error { return s.RenameCommit(ctx, key, other, time.Second, d) }},
		{"UserSessions", func() error { _, err := s.UserSessions(ctx, "alice"); return err }},
		{"DeleteUserSessions", func() error { _, err := s.DeleteUserSessions(ctx, "alice", ""); return err }},
		{"Cleanup", func() error { _, err := s.Cleanup(ctx); return err }},
		{"Migrate", func() error { return s.Migrate(ctx) }},
	} {
		if err := c.call(); !errors.Is(err, sessions.ErrStoreUnavailable) {
			t.Errorf("%s after Close: %v, want ErrStoreUnavailable", c.method, err)
		}
	}
	if err := p.Ping(ctx); err != nil {
		t.Errorf("Close closed the caller's pool: %v", err)
	}
}

func TestSQLInjection(t *testing.T) {
	s := newTestStore(t, Options{})
	ctx := t.Context()
	canary := s.table + "_x"
	exec(t, s, "CREATE TABLE "+quote(canary)+" (n int)")
	dropTables(t, s.pool, canary) // drops the _x table too (IF EXISTS for the rest)
	evils := []string{
		`'; DROP TABLE x;--`,
		`'; DROP TABLE ` + s.table + `;--`,
		`"; DROP TABLE "` + canary + `";--`,
		`\'; DELETE FROM ` + s.table + `_values; --`,
		`$1); DROP TABLE ` + canary + `;--`,
	}
	for _, evil := range evils {
		key := storetest.NewKey(t)
		rec := storetest.NewRecord(time.Hour, evil, evil, "n", 1)
		rec.User, rec.UserAgent, rec.CSRF, rec.Bind = evil, evil, evil, evil
		if err := s.Create(ctx, key, rec); err != nil {
			t.Fatalf("Create: %v", err)
		}
		d := &sessions.Delta{Set: []sessions.Field{{Key: evil + "2", Value: evil}}, Del: []string{evil + "3"}, Meta: &rec.Meta}
		if err := s.Commit(ctx, key, d); err != nil {
			t.Fatalf("Commit: %v", err)
		}
		if _, err := s.Increment(ctx, key, evil+"n", 2); err != nil {
			t.Fatalf("Increment: %v", err)
		}
		got, found, err := s.Load(ctx, key)
		if err != nil || !found {
			t.Fatalf("Load: %v, %v", found, err)
		}
		for _, k := range []string{evil, evil + "2"} {
			if v, _ := got.Lookup(k); v != evil {
				t.Errorf("value %q = %#v, want it back unchanged", k, v)
			}
		}
		if got.Meta != rec.Meta {
			t.Errorf("meta = %+v, want %+v", got.Meta, rec.Meta)
		}
		if list, err := s.UserSessions(ctx, evil); err != nil || len(list) != 1 || list[0].Key != key {
			t.Errorf("UserSessions(%q) = %v, %v", evil, list, err)
		}
		if _, found, err := s.Load(ctx, evil); found || err != nil {
			t.Errorf("Load(%q) = %v, %v", evil, found, err)
		}
		if err := s.Delete(ctx, evil); err != nil {
			t.Errorf("Delete(%q): %v", evil, err)
		}
		if err := s.Rename(ctx, key, evil, 0); err == nil {
			t.Errorf("Rename to %q succeeded", evil)
		}
	}
	for _, evil := range evils {
		if n, err := s.DeleteUserSessions(ctx, evil, ""); err != nil || n != 1 {
			t.Errorf("DeleteUserSessions(%q) = %d, %v; want 1", evil, n, err)
		}
	}
	for _, table := range []string{s.table, s.table + "_values", s.table + "_aliases", canary} {
		var exists bool
		if err := s.pool.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", quote(table)).Scan(&exists); err != nil || !exists {
			t.Errorf("table %s is gone (%v)", table, err)
		}
	}
}

func TestRawIDNeverStored(t *testing.T) {
	s := newTestStore(t, Options{})
	ctx := t.Context()
	var ids []string
	newID := func() string {
		var b [32]byte
		if _, err := rand.Read(b[:]); err != nil {
			t.Fatal(err)
		}
		id := base64.RawURLEncoding.EncodeToString(b[:])
		ids = append(ids, id)
		return id
	}
	a, b, c := newID(), newID(), newID()
	rec := storetest.NewRecord(time.Hour, "x", 1)
	rec.User = "alice"
	if err := s.Create(ctx, sessions.KeyOf(a), rec); err != nil {
		t.Fatal(err)
	}
	if err := s.Rename(ctx, sessions.KeyOf(a), sessions.KeyOf(b), time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := s.Create(ctx, sessions.KeyOf(c), storetest.NewRecord(time.Hour)); err != nil {
		t.Fatal(err)
	}
	// A caller that passes an ID where a key belongs is refused.
	raw := newID()
	if err := s.Create(ctx, raw, storetest.NewRecord(time.Hour)); err == nil {
		t.Fatalf("Create under a raw ID succeeded")
	}

	hexKey := regexp.MustCompile(`^[0-9a-f]{64}$`)
	for _, q := range []string{
		`SELECT key FROM {s}`, `SELECT key FROM {v}`,
		`SELECT old_key FROM {a}`, `SELECT new_key FROM {a}`,
	} {
		q = strings.NewReplacer("{s}", quote(s.table), "{v}", quote(s.table+"_values"), "{a}", quote(s.table+"_aliases")).Replace(q)
		keys, err := pgx.CollectRows(must(s.pool.Query(ctx, q)), pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		if len(keys) == 0 {
			t.Errorf("%s: no rows", q)
		}
		for _, k := range keys {
			if !hexKey.MatchString(k) {
				t.Errorf("%s: %q is not a SHA-256 hex key", q, k)
			}
		}
	}
	var dump string
	q := fmt.Sprintf(`SELECT concat((SELECT string_agg(t::text, ' ') FROM %s t), (SELECT string_agg(t::text, ' ') FROM %s t), (SELECT string_agg(t::text, ' ') FROM %s t))`,
		quote(s.table), quote(s.table+"_values"), quote(s.table+"_aliases"))
	if err := s.pool.QueryRow(ctx, q).Scan(&dump); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if strings.Contains(dump, id) {
			t.Errorf("session ID %s… found in the database", id[:8])
		}
	}
	if !strings.Contains(dump, sessions.KeyOf(b)) {
		t.Errorf("dump lacks the renamed key; is the dump query right?")
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestRoundTrips(t *testing.T) {
	s := newTestStore(t, Options{CleanupInterval: -1})
	ctx := t.Context()
	key := storetest.NewKey(t)
	d := &sessions.Delta{Clear: true, Set: []sessions.Field{{Key: "a", Value: 1}}, Del: []string{"b"}, Meta: &sessions.Meta{Expires: time.Now().Add(time.Hour).UnixNano()}}
	steps := []struct {
		name string
		fn   func() error
	}{
		{"Create", func() error { return s.Create(ctx, storetest.NewKey(t), storetest.NewRecord(time.Hour, "a", 1)) }},
		{"Load", func() error { _, _, err := s.Load(ctx, key); return err }},
		{"Commit", func() error { return s.Commit(ctx, key, d) }},
		{"Increment", func() error { _, err := s.Increment(ctx, key, "n", 1); return err }},
		{"Delete", func() error { return s.Delete(ctx, storetest.NewKey(t)) }},
		{"Rename", func() error {
			fresh := storetest.NewKey(t)
			err := s.Rename(ctx, key, fresh, time.Minute)
			key = fresh
			return err
		}},
	}
	if err := s.Create(ctx, key, storetest.NewRecord(time.Hour, "b", 2)); err != nil {
		t.Fatal(err)
	}
	for _, step := range steps {
		if err := step.fn(); err != nil { // warm pgx's statement cache
			t.Fatalf("%s: %v", step.name, err)
		}
		before := sent.Load()
		if err := step.fn(); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if n := sent.Load() - before; n != 1 {
			t.Errorf("%s sent %d queries or batches, want 1", step.name, n)
		}
	}
}

func TestCommitNeverResurrects(t *testing.T) {
	s := newTestStore(t, Options{})
	ctx := t.Context()
	for range 20 {
		key := storetest.NewKey(t)
		if err := s.Create(ctx, key, storetest.NewRecord(time.Hour, "a", 1)); err != nil {
			t.Fatal(err)
		}
		meta := storetest.NewRecord(time.Hour).Meta
		var wg sync.WaitGroup
		for i := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				d := &sessions.Delta{Clear: i%2 == 0, Set: []sessions.Field{{Key: fmt.Sprint("k", i), Value: i}}, Meta: &meta}
				if err := s.Commit(ctx, key, d); err != nil && !errors.Is(err, sessions.ErrNotFound) {
					t.Errorf("Commit: %v", err)
				}
			}()
		}
		if err := s.Delete(ctx, key); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		if _, found, err := s.Load(ctx, key); found || err != nil {
			t.Fatalf("deleted session came back: %v, %v", found, err)
		}
		var n int
		if err := s.pool.QueryRow(ctx, "SELECT count(*) FROM "+quote(s.table+"_values")+" WHERE key = $1", key).Scan(&n); err != nil || n != 0 {
			t.Fatalf("%d orphan values (%v)", n, err)
		}
	}
}

func TestMigrate(t *testing.T) {
	p := testPool(t)
	ctx := t.Context()
	table := randomTable(t)
	dropTables(t, p, table)
	s, err := New(ctx, p, Options{Table: table, NoMigrate: true, CleanupInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, _, err = s.Load(ctx, storetest.NewKey(t))
	if err == nil || !strings.Contains(err.Error(), "Migrate") {
		t.Fatalf("Load before migration: %v, want an error that says to run Migrate", err)
	}
	var wg sync.WaitGroup
	for range 4 { // instances starting together
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.Migrate(ctx); err != nil {
				t.Errorf("Migrate: %v", err)
			}
		}()
	}
	wg.Wait()
	if _, _, err := s.Load(ctx, storetest.NewKey(t)); err != nil {
		t.Fatalf("Load after migration: %v", err)
	}
}

func TestUnavailable(t *testing.T) {
	testPool(t)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()

	// Nothing listens on port 1.
	dead, err := pgxpool.New(ctx, "postgres://postgres@127.0.0.1:1/test?sslmode=disable&connect_timeout=2")
	if err != nil {
		t.Fatal(err)
	}
	defer dead.Close()
	if _, err := New(ctx, dead, Options{}); !errors.Is(err, sessions.ErrStoreUnavailable) {
		t.Errorf("New on an unreachable server: %v, want ErrStoreUnavailable", err)
	}
	s, err := New(ctx, dead, Options{NoMigrate: true, CleanupInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, _, err := s.Load(ctx, storetest.NewKey(t)); !errors.Is(err, sessions.ErrStoreUnavailable) {
		t.Errorf("Load: %v, want ErrStoreUnavailable", err)
	}

	// A closed pool.
	closed, err := pgxpool.New(ctx, databaseURL())
	if err != nil {
		t.Fatal(err)
	}
	table := randomTable(t)
	dropTables(t, testPool(t), table)
	s2, err := New(ctx, closed, Options{Table: table, CleanupInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	closed.Close()
	if err := s2.Commit(ctx, storetest.NewKey(t), &sessions.Delta{}); !errors.Is(err, sessions.ErrStoreUnavailable) {
		t.Errorf("Commit on a closed pool: %v, want ErrStoreUnavailable", err)
	}
}

func TestWriteChecks(t *testing.T) {
	s := newTestStore(t, Options{MaxValueSize: 1024})
	ctx := t.Context()
	key := storetest.NewKey(t)
	if err := s.Create(ctx, key, storetest.NewRecord(time.Hour, "n", 1, "s", "x", "i64", int64(3), "f", 1.5)); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		d    *sessions.Delta
		want error
	}{
		{"too large", &sessions.Delta{Set: []sessions.Field{{Key: "big", Value: make([]byte, 2048)}}}, sessions.ErrTooLarge},
		{"name not UTF-8", &sessions.Delta{Set: []sessions.Field{{Key: "\xff", Value: 1}}}, sessions.ErrUnsupportedValue},
		{"name with NUL", &sessions.Delta{Set: []sessions.Field{{Key: "a\x00b", Value: 1}}}, sessions.ErrUnsupportedValue},
		{"user with NUL", &sessions.Delta{Meta: &sessions.Meta{User: "a\x00", Expires: time.Now().Add(time.Hour).UnixNano()}}, sessions.ErrUnsupportedValue},
		{"unencodable", &sessions.Delta{Set: []sessions.Field{{Key: "fn", Value: func() {}}}}, sessions.ErrUnsupportedValue},
	} {
		t.Run(c.name, func(t *testing.T) {
			if err := s.Commit(ctx, key, c.d); !errors.Is(err, c.want) {
				t.Fatalf("Commit: %v, want %v", err, c.want)
			}
		})
	}
	// Opaque metadata (any bytes a User-Agent header or a digest may hold)
	// round-trips exactly.
	meta := storetest.NewRecord(time.Hour).Meta
	meta.UserAgent, meta.Bind, meta.CSRF = "Mozilla\xff\x00", "\x00\x01\xfe", "c"
	if err := s.Commit(ctx, key, &sessions.Delta{Meta: &meta}); err != nil {
		t.Fatal(err)
	}
	if got, _, err := s.Load(ctx, key); err != nil || got.Meta != meta {
		t.Fatalf("meta = %+v, %v; want %+v", got.Meta, err, meta)
	}
	for _, c := range []struct {
		field string
		by    int64
		want  error
	}{
		{"s", 1, sessions.ErrNotInteger},
		{"i64", 1, sessions.ErrNotInteger},
		{"f", 1, sessions.ErrNotInteger},
		{"n", 1<<63 - 1, sessions.ErrNotInteger},
		{"n", 5, nil},
	} {
		if _, err := s.Increment(ctx, key, c.field, c.by); !errors.Is(err, c.want) {
			t.Errorf("Increment(%s, %d): %v, want %v", c.field, c.by, err, c.want)
		}
	}
	got, _, err := s.Load(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := got.Lookup("n"); v != 6 {
		t.Errorf("n = %#v, want 6", v)
	}
}

func TestRenameTwiceKillsFirstKey(t *testing.T) {
	s := newTestStore(t, Options{})
	ctx := t.Context()
	k1, k2, k3 := storetest.NewKey(t), storetest.NewKey(t), storetest.NewKey(t)
	if err := s.Create(ctx, k1, storetest.NewRecord(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.Rename(ctx, k1, k2, time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := s.Rename(ctx, k2, k3, 0); err != nil { // login: no grace
		t.Fatal(err)
	}
	for _, k := range []string{k1, k2} {
		if _, found, _ := s.Load(ctx, k); found {
			t.Errorf("old key %s… still reaches the session", k[:8])
		}
		if err := s.Commit(ctx, k, &sessions.Delta{Set: []sessions.Field{{Key: "x", Value: 1}}}); !errors.Is(err, sessions.ErrNotFound) {
			t.Errorf("Commit through old key %s…: %v, want ErrNotFound", k[:8], err)
		}
	}
	if err := s.Create(ctx, k1, storetest.NewRecord(time.Hour)); !errors.Is(err, sessions.ErrExists) {
		t.Errorf("Create on a key in grace: %v, want ErrExists", err)
	}
}

func TestOptions(t *testing.T) {
	for _, c := range []struct {
		name string
		opts Options
		ok   bool
	}{
		{"zero", Options{}, true},
		{"custom table", Options{Table: "web_sessions2"}, true},
		{"reserved word", Options{Table: "user"}, true},
		{"upper case", Options{Table: "Sessions"}, false},
		{"dash", Options{Table: "web-sessions"}, false},
		{"injection", Options{Table: `s"; DROP TABLE x;--`}, false},
		{"schema qualified", Options{Table: "public.sessions"}, false},
		{"too long", Options{Table: strings.Repeat("s", maxTable+1)}, false},
		{"negative batch", Options{CleanupBatch: -1}, false},
		{"negative size", Options{MaxValueSize: -1}, false},
		{"size under the longest count", Options{MaxValueSize: 19}, false},
		{"size of the longest count", Options{MaxValueSize: 20}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := c.opts.withDefaults()
			if c.ok != (err == nil) || (err != nil && !errors.Is(err, sessions.ErrConfig)) {
				t.Fatalf("withDefaults: %v, want ok=%v or ErrConfig", err, c.ok)
			}
		})
	}
	if _, err := New(t.Context(), nil, Options{}); !errors.Is(err, sessions.ErrConfig) {
		t.Errorf("New(nil pool): %v, want ErrConfig", err)
	}
}

func TestSchemaFor(t *testing.T) {
	sql, err := SchemaFor("user")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`CREATE TABLE IF NOT EXISTS "user" (`, `"user_values"`, `"user_aliases"`, `"user_expires_at_idx"`, `REFERENCES "user" (key)`} {
		if !strings.Contains(sql, want) {
			t.Errorf("SchemaFor(user) lacks %s:\n%s", want, sql)
		}
	}
	if strings.Contains(sql, "sessions") {
		t.Errorf("SchemaFor(user) still names sessions:\n%s", sql)
	}
	if _, err := SchemaFor("bad name"); err == nil {
		t.Errorf("SchemaFor(bad name) succeeded")
	}
}

// The package documentation shows schema.sql; keep the two the same.
func TestDocShowsSchema(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	var shown []string
	in := false
	for _, line := range strings.Split(string(doc), "\n") {
		switch {
		case line == "// # Schema":
			in = true
		case in && strings.HasPrefix(line, "// # "):
			in = false
		case in && strings.HasPrefix(line, "//\t"):
			shown = append(shown, strings.TrimPrefix(line, "//\t"))
		case in && line == "//" && len(shown) > 0:
			shown = append(shown, "")
		}
	}
	got := strings.TrimSpace(strings.Join(shown, "\n"))
	if want := strings.TrimSpace(Schema); got != want {
		t.Errorf("doc.go's schema differs from schema.sql; paste schema.sql into doc.go, indented by a tab\n got:\n%s\nwant:\n%s", got, want)
	}
}

// Teams behind PgBouncer in transaction mode run pgx with the simple
// protocol; every query mode must keep batches transactional and values
// exact.
func TestQueryExecModes(t *testing.T) {
	testPool(t)
	for _, mode := range []pgx.QueryExecMode{
		pgx.QueryExecModeCacheStatement,
		pgx.QueryExecModeCacheDescribe,
		pgx.QueryExecModeDescribeExec,
		pgx.QueryExecModeExec,
		pgx.QueryExecModeSimpleProtocol,
	} {
		t.Run(mode.String(), func(t *testing.T) {
			cfg, err := pgxpool.ParseConfig(databaseURL())
			if err != nil {
				t.Fatal(err)
			}
			cfg.ConnConfig.DefaultQueryExecMode = mode
			cfg.MaxConns = 4
			p, err := pgxpool.NewWithConfig(t.Context(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			table := randomTable(t)
			dropTables(t, testPool(t), table) // p is closed by then
			s, err := New(t.Context(), p, Options{Table: table, CleanupInterval: -1})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			smoke(t, s)
		})
	}
}

// smoke exercises every operation once, with values that need exact
// encoding.
func smoke(t *testing.T, s *Store) {
	t.Helper()
	ctx := t.Context()
	key, renamed := storetest.NewKey(t), storetest.NewKey(t)
	in := storetest.NewRecord(time.Hour, "bytes", []byte{0, '\\', '\'', 0xff}, "str", `it's "q" \ ok`, "n", 1)
	in.User, in.UserAgent = "o'brien", "ua\x00\xff"
	if err := s.Create(ctx, key, in); err != nil {
		t.Fatalf("Create: %v", err)
	}
	if err := s.Create(ctx, key, in); !errors.Is(err, sessions.ErrExists) {
		t.Fatalf("second Create: %v", err)
	}
	d := &sessions.Delta{Clear: true, Set: []sessions.Field{{Key: "str", Value: "new"}, {Key: "n", Value: 10}}}
	if err := s.Commit(ctx, key, d); err != nil {
		t.Fatalf("Commit: %v", err)
	}
	if n, err := s.Increment(ctx, key, "n", -3); err != nil || n != 7 {
		t.Fatalf("Increment = %d, %v", n, err)
	}
	if err := s.Rename(ctx, key, renamed, time.Minute); err != nil {
		t.Fatalf("Rename: %v", err)
	}
	got, found, err := s.Load(ctx, key) // through the alias
	if err != nil || !found {
		t.Fatalf("Load: %v, %v", found, err)
	}
	want := []sessions.Field{{Key: "n", Value: 7}, {Key: "str", Value: "new"}}
	if !reflect.DeepEqual(got.Fields, want) || got.Meta != in.Meta {
		t.Fatalf("Load = %+v, want fields %v and meta %+v", got, want, in.Meta)
	}
	if list, err := s.UserSessions(ctx, "o'brien"); err != nil || len(list) != 1 || list[0].Key != renamed {
		t.Fatalf("UserSessions = %v, %v", list, err)
	}
	if n, err := s.DeleteUserSessions(ctx, "o'brien", ""); err != nil || n != 1 {
		t.Fatalf("DeleteUserSessions = %d, %v", n, err)
	}
	if err := s.Commit(ctx, key, d); !errors.Is(err, sessions.ErrNotFound) {
		t.Fatalf("Commit after delete: %v", err)
	}
}

// The store names its isolation level, so a database whose default is
// stricter changes nothing: no serialization failures under concurrency,
// no lost writes.
func TestStricterDefaultIsolation(t *testing.T) {
	testPool(t)
	for _, level := range []string{"repeatable read", "serializable"} {
		t.Run(level, func(t *testing.T) {
			cfg, err := pgxpool.ParseConfig(databaseURL())
			if err != nil {
				t.Fatal(err)
			}
			cfg.ConnConfig.RuntimeParams["default_transaction_isolation"] = level
			p, err := pgxpool.NewWithConfig(t.Context(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			table := randomTable(t)
			dropTables(t, testPool(t), table)
			s, err := New(t.Context(), p, Options{Table: table, CleanupInterval: -1})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			smoke(t, s)
			storetest.Run(t, storetest.Harness{
				New: func(*testing.T) sessions.Store { return s },
				Skip: map[string]string{
					"Expiry": "timing covered by TestConformance", "ExpiredOnWrite": "timing covered by TestConformance",
					"RenameGrace": "timing covered by TestConformance", "UserIndex": "timing covered by TestConformance",
					"ExpiredOnEveryWrite": "timing covered by TestConformance",
				},
			})
		})
	}
}
