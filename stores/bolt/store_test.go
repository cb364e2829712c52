package bolt

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/storetest"
	"go.etcd.io/bbolt"
)

func openTest(t *testing.T, opts Options) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "sessions.db"), opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// putRaw overwrites the stored bytes under key, bypassing the store.
func putRaw(t *testing.T, s *Store, key string, raw []byte) {
	t.Helper()
	err := s.db.Update(func(tx *bbolt.Tx) error {
		return tx.Bucket(s.root).Bucket(bucketRecords).Put([]byte(key), raw)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestConformance(t *testing.T) {
	storetest.Run(t, conformanceHarness(Options{}))
}

// TestConformanceSweeping runs the suite with the cleaner running every
// 20 ms, so that every check runs while it deletes expired records and
// grace aliases: it must never delete a live one. (With the default
// interval no cleanup falls within the suite.)
func TestConformanceSweeping(t *testing.T) {
	storetest.Run(t, conformanceHarness(Options{CleanupInterval: 20 * time.Millisecond}))
}

// conformanceHarness gives the conformance suite stores opened with o.
func conformanceHarness(o Options) storetest.Harness {
	return storetest.Harness{
		New: func(t *testing.T) sessions.Store { return openTest(t, o) },
		Corrupt: func(t *testing.T, st sessions.Store, key string) {
			putRaw(t, st.(*Store), key, []byte{99, 1, 2, 3}) // unknown format version
		},
	}
}

func TestCorruptRecords(t *testing.T) {
	s := openTest(t, Options{})
	good, err := sessions.MarshalRecord(storetest.NewRecord(time.Hour, "role", "admin"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		raw  []byte
	}{
		{"empty", []byte{}},
		{"wrong version", append([]byte{2}, good[1:]...)},
		{"truncated", good[:len(good)-3]},
		{"trailing garbage", append(slices.Clone(good), 0xff)},
		{"garbage", []byte("not a session record at all")},
		{"oversized", append(slices.Clone(good), make([]byte, sessions.DefaultMaxRecordSize)...)},
	} {
		t.Run(c.name, func(t *testing.T) {
			key := storetest.NewKey(t)
			putRaw(t, s, key, c.raw)
			ctx := t.Context()
			if _, found, err := s.Load(ctx, key); !errors.Is(err, sessions.ErrCorrupt) || found {
				t.Errorf("Load = found %v, err %v; want ErrCorrupt", found, err)
			}
			d := &sessions.Delta{Set: []sessions.Field{{Key: "x", Value: 1}}}
			if err := s.Commit(ctx, key, d); !errors.Is(err, sessions.ErrCorrupt) {
				t.Errorf("Commit = %v, want ErrCorrupt", err)
			}
			if _, err := s.Increment(ctx, key, "n", 1); !errors.Is(err, sessions.ErrCorrupt) {
				t.Errorf("Increment = %v, want ErrCorrupt", err)
			}
			if err := s.Create(ctx, key, storetest.NewRecord(time.Hour)); !errors.Is(err, sessions.ErrCorrupt) {
				t.Errorf("Create over a corrupt record = %v, want ErrCorrupt (never silently replaced)", err)
			}
			if err := s.Delete(ctx, key); err != nil {
				t.Fatalf("Delete: %v", err)
			}
			if _, found, err := s.Load(ctx, key); found || err != nil {
				t.Errorf("after Delete: found %v, err %v", found, err)
			}
		})
	}
}

func TestFileModes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state", "sessions")
	path := filepath.Join(dir, "sessions.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, c := range []struct {
		path string
		want os.FileMode
	}{
		{filepath.Dir(dir), 0o700},
		{dir, 0o700},
		{path, 0o600},
	} {
		fi, err := os.Stat(c.path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != c.want {
			t.Errorf("%s: mode %o, want %o", c.path, got, c.want)
		}
	}
}

func TestKeysNeverReachTheFileSystem(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(filepath.Join(dir, "sessions.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	before := listDir(t, dir)
	ctx := t.Context()
	for _, bad := range []string{"../../evil", "../evil.db", "/tmp/evil", "evil\x00", "'; DROP TABLE x;--"} {
		if err := s.Create(ctx, bad, storetest.NewRecord(time.Hour)); err == nil {
			t.Errorf("Create(%q) succeeded; want the key refused", bad)
		}
		if _, found, err := s.Load(ctx, bad); found || err != nil {
			t.Errorf("Load(%q) = %v, %v", bad, found, err)
		}
		if err := s.Rename(ctx, storetest.NewKey(t), bad, 0); err == nil {
			t.Errorf("Rename to %q succeeded", bad)
		}
	}
	if after := listDir(t, dir); !reflect.DeepEqual(before, after) {
		t.Errorf("files changed: before %v, after %v", before, after)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(dir), "evil")); err == nil {
		t.Errorf("a file was created outside the store's directory")
	}
}

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	var names []string
	err := filepath.WalkDir(dir, func(p string, _ os.DirEntry, err error) error {
		names = append(names, p)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// count returns the number of entries in the nested bucket name.
func count(t *testing.T, s *Store, name []byte) int {
	t.Helper()
	n := 0
	err := s.db.View(func(tx *bbolt.Tx) error {
		n = tx.Bucket(s.root).Bucket(name).Stats().KeyN
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestCleanerRemovesExpiredWithoutReads(t *testing.T) {
	s := openTest(t, Options{CleanupInterval: 20 * time.Millisecond, CleanupBatch: 3})
	ctx := t.Context()
	var short []string
	for range 10 {
		key := storetest.NewKey(t)
		rec := storetest.NewRecord(150 * time.Millisecond)
		rec.User = "u"
		if err := s.Create(ctx, key, rec); err != nil {
			t.Fatal(err)
		}
		short = append(short, key)
	}
	alias := storetest.NewKey(t)
	if err := s.Rename(ctx, short[0], alias, 100*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	long := storetest.NewKey(t)
	if err := s.Create(ctx, long, storetest.NewRecord(time.Hour)); err != nil {
		t.Fatal(err)
	}
	// A commit that extends a session's expiry moves its expiry index entry
	// in the same transaction (the entry under the first deadline goes), so
	// the cleaner must keep the session past its first deadline. Stale
	// entries, left behind when a record that cannot be decoded is deleted
	// or replaced, are TestCleanupSkipsStaleExpiryEntries's case.
	extended := storetest.NewKey(t)
	if err := s.Create(ctx, extended, storetest.NewRecord(100*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	meta := storetest.NewRecord(time.Hour).Meta
	if err := s.Commit(ctx, extended, &sessions.Delta{Meta: &meta}); err != nil {
		t.Fatal(err)
	}

	deadline := time.Now().Add(5 * time.Second)
	for count(t, s, bucketRecords) != 2 || count(t, s, bucketAliases) != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("cleaner left %d records and %d aliases, want 2 and 0",
				count(t, s, bucketRecords), count(t, s, bucketAliases))
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n := count(t, s, bucketExpiry); n != 2 {
		t.Errorf("expiry index has %d entries, want 2", n)
	}
	if n := count(t, s, bucketUsers); n != 0 {
		t.Errorf("user index has %d entries, want 0", n)
	}
	for _, key := range []string{long, extended} {
		if _, found, err := s.Load(ctx, key); !found || err != nil {
			t.Errorf("live session %s… gone: %v, %v", key[:8], found, err)
		}
	}
}

func TestCleanupByHand(t *testing.T) {
	s := openTest(t, Options{CleanupInterval: -1, CleanupBatch: 2})
	ctx := t.Context()
	for range 5 {
		if err := s.Create(ctx, storetest.NewKey(t), storetest.NewRecord(-time.Second)); err != nil {
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
	if n := count(t, s, bucketRecords); n != 1 {
		t.Fatalf("%d records left, want 1", n)
	}
}

// cleaners counts the running cleaner goroutines of this package.
func cleaners() int {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	return strings.Count(string(buf), "stores/bolt.(*Store).clean(")
}

// waitCleaners waits up to a second for want cleaner goroutines: a
// goroutine shows in stack dumps a moment after its go statement, and a
// moment after its last act.
func waitCleaners(t *testing.T, want int) {
	t.Helper()
	deadline := time.Now().Add(time.Second)
	for cleaners() != want {
		if time.Now().After(deadline) {
			t.Fatalf("%d cleaner goroutines running, want %d", cleaners(), want)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestCloseStopsCleaner(t *testing.T) {
	before := cleaners()
	s, err := Open(filepath.Join(t.TempDir(), "sessions.db"), Options{CleanupInterval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	waitCleaners(t, before+1)
	time.Sleep(10 * time.Millisecond)
	for range 2 {
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
	}
	// Close waits for the cleaner to close its done channel, its last act;
	// the goroutine itself is gone a moment later.
	waitCleaners(t, before)
	ctx := t.Context()
	key := storetest.NewKey(t)
	if _, _, err := s.Load(ctx, key); !errors.Is(err, sessions.ErrStoreUnavailable) {
		t.Errorf("Load after Close: %v, want ErrStoreUnavailable", err)
	}
	if err := s.Create(ctx, key, storetest.NewRecord(time.Hour)); !errors.Is(err, sessions.ErrStoreUnavailable) {
		t.Errorf("Create after Close: %v, want ErrStoreUnavailable", err)
	}
}

func TestPersistence(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sessions.db")
	ctx := t.Context()
	key := storetest.NewKey(t)
	in := storetest.NewRecord(time.Hour, "cart", "3 items", "n", 7)
	in.User = "alice"

	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Create(ctx, key, in); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	out, found, err := s.Load(ctx, key)
	if err != nil || !found {
		t.Fatalf("Load after reopen: %v, %v", found, err)
	}
	if !reflect.DeepEqual(out, in) {
		t.Fatalf("after reopen: got %+v, want %+v", out, in)
	}
	if list, err := s.UserSessions(ctx, "alice"); err != nil || len(list) != 1 {
		t.Fatalf("UserSessions after reopen: %v, %v", list, err)
	}
}

func TestNewLeavesDBOpen(t *testing.T) {
	db, err := bbolt.Open(filepath.Join(t.TempDir(), "app.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	a, err := New(db, Options{Bucket: "a"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(db, Options{Bucket: "b"})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx := t.Context()
	key := storetest.NewKey(t)
	if err := a.Create(ctx, key, storetest.NewRecord(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, found, _ := b.Load(ctx, key); found {
		t.Errorf("store b sees store a's session: buckets are not separate")
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.View(func(*bbolt.Tx) error { return nil }); err != nil {
		t.Fatalf("db closed by a store that did not open it: %v", err)
	}
	if err := b.Create(ctx, storetest.NewKey(t), storetest.NewRecord(time.Hour)); err != nil {
		t.Fatalf("the other store stopped working: %v", err)
	}
}

func TestOpenLockedFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sessions.db")
	s := mustOpen(t, path)
	defer s.Close()
	_, err := Open(path, Options{OpenTimeout: 50 * time.Millisecond})
	if !errors.Is(err, sessions.ErrStoreUnavailable) {
		t.Fatalf("second Open of a held file: %v, want ErrStoreUnavailable", err)
	}
}

func mustOpen(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestOptions(t *testing.T) {
	for _, c := range []struct {
		name string
		opts Options
		ok   bool
	}{
		{"zero", Options{}, true},
		{"negative interval disables", Options{CleanupInterval: -1}, true},
		{"negative batch", Options{CleanupBatch: -1}, false},
		{"negative timeout", Options{OpenTimeout: -time.Second}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := Open(filepath.Join(t.TempDir(), "s.db"), c.opts)
			if c.ok {
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				s.Close()
				return
			}
			if !errors.Is(err, sessions.ErrConfig) {
				t.Fatalf("Open: %v, want ErrConfig", err)
			}
		})
	}
	if _, err := New(nil, Options{}); !errors.Is(err, sessions.ErrConfig) {
		t.Errorf("New(nil): %v, want ErrConfig", err)
	}
}

func TestLoadedRecordIsCopied(t *testing.T) {
	s := openTest(t, Options{})
	ctx := t.Context()
	key := storetest.NewKey(t)
	if err := s.Create(ctx, key, storetest.NewRecord(time.Hour, "b", []byte("original"))); err != nil {
		t.Fatal(err)
	}
	rec, _, err := s.Load(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	// Enough writes to move pages and grow the file.
	for i := range 200 {
		d := &sessions.Delta{Set: []sessions.Field{{Key: "b", Value: make([]byte, 4096+i)}}}
		if err := s.Commit(ctx, key, d); err != nil {
			t.Fatal(err)
		}
	}
	if v, _ := rec.Lookup("b"); string(v.([]byte)) != "original" {
		t.Fatalf("a loaded value changed under the caller: %q", v)
	}
}

func TestWriteChecks(t *testing.T) {
	s := openTest(t, Options{})
	ctx := t.Context()
	key := storetest.NewKey(t)
	if err := s.Create(ctx, key, storetest.NewRecord(time.Hour, "n", 1, "s", "x", "i64", int64(3))); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		d    *sessions.Delta
		want error
	}{
		{"too large", &sessions.Delta{Set: []sessions.Field{{Key: "big", Value: make([]byte, sessions.DefaultMaxRecordSize)}}}, sessions.ErrTooLarge},
		{"key not UTF-8", &sessions.Delta{Set: []sessions.Field{{Key: "\xff", Value: 1}}}, sessions.ErrUnsupportedValue},
		{"unencodable", &sessions.Delta{Set: []sessions.Field{{Key: "f", Value: func() {}}}}, sessions.ErrUnsupportedValue},
	} {
		t.Run(c.name, func(t *testing.T) {
			if err := s.Commit(ctx, key, c.d); !errors.Is(err, c.want) {
				t.Fatalf("Commit: %v, want %v", err, c.want)
			}
			if _, found, err := s.Load(ctx, key); !found || err != nil {
				t.Fatalf("record unreadable after a refused commit: %v, %v", found, err)
			}
		})
	}
	for _, c := range []struct {
		field string
		by    int64
		want  error
	}{
		{"s", 1, sessions.ErrNotInteger},
		{"i64", 1, sessions.ErrNotInteger},
		{"n", 1<<63 - 1, sessions.ErrNotInteger},
		{"n", 5, nil},
	} {
		if _, err := s.Increment(ctx, key, c.field, c.by); !errors.Is(err, c.want) {
			t.Errorf("Increment(%s, %d): %v, want %v", c.field, c.by, err, c.want)
		}
	}
	// Unsorted fields with a duplicate, against the Record contract, are
	// normalised rather than written as an undecodable record.
	odd := storetest.NewKey(t)
	rec := storetest.NewRecord(time.Hour)
	rec.Fields = []sessions.Field{{Key: "b", Value: 1}, {Key: "a", Value: 2}, {Key: "b", Value: 3}}
	if err := s.Create(ctx, odd, rec); err != nil {
		t.Fatal(err)
	}
	got, _, err := s.Load(ctx, odd)
	if err != nil {
		t.Fatal(err)
	}
	if want := []sessions.Field{{Key: "a", Value: 2}, {Key: "b", Value: 3}}; !reflect.DeepEqual(got.Fields, want) {
		t.Fatalf("fields %v, want %v", got.Fields, want)
	}
	if len(rec.Fields) != 3 {
		t.Fatalf("Create changed the caller's record")
	}
}

func TestRenameTwiceKillsFirstKey(t *testing.T) {
	s := openTest(t, Options{})
	ctx := t.Context()
	k1, k2, k3 := storetest.NewKey(t), storetest.NewKey(t), storetest.NewKey(t)
	if err := s.Create(ctx, k1, storetest.NewRecord(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.Rename(ctx, k1, k2, time.Minute); err != nil {
		t.Fatal(err)
	}
	// A login renews k2 to k3 with no grace: k1, renamed earlier, must not
	// reach the now authenticated session.
	if err := s.Rename(ctx, k2, k3, 0); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{k1, k2} {
		if _, found, _ := s.Load(ctx, k); found {
			t.Errorf("old key %s… still reaches the session", k[:8])
		}
	}
	if err := s.Create(ctx, k1, storetest.NewRecord(time.Hour)); !errors.Is(err, sessions.ErrExists) {
		t.Errorf("Create on a key in grace: %v, want ErrExists", err)
	}
}

func TestContextCanceledWritesNothing(t *testing.T) {
	s := openTest(t, Options{})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := s.Increment(ctx, storetest.NewKey(t), "n", 1); !errors.Is(err, context.Canceled) {
		t.Errorf("Increment: %v, want context.Canceled", err)
	}
	if _, err := s.Cleanup(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Cleanup: %v, want context.Canceled", err)
	}
}

// TestMethodsAfterClose: Close's doc says every method called after Close
// returns an error wrapping ErrStoreUnavailable; that holds whatever key
// the method is given.
func TestMethodsAfterClose(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "sessions.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	bad, good := "not-a-store-key", storetest.NewKey(t)
	d := &sessions.Delta{Set: []sessions.Field{{Key: "x", Value: 1}}}
	for _, c := range []struct {
		name string
		fn   func(ctx context.Context) error
	}{
		{"Create", func(ctx context.Context) error { return s.Create(ctx, bad, storetest.NewRecord(time.Hour)) }},
		{"Commit", func(ctx context.Context) error { return s.Commit(ctx, bad, d) }},
		{"Delete", func(ctx context.Context) error { return s.Delete(ctx, bad) }},
		{"Increment", func(ctx context.Context) error { _, err := s.Increment(ctx, bad, "n", 1); return err }},
		{"Rename", func(ctx context.Context) error { return s.Rename(ctx, bad, good, 0) }},
		{"Rename to a bad key", func(ctx context.Context) error { return s.Rename(ctx, good, bad, 0) }},
		{"Rename to itself", func(ctx context.Context) error { return s.Rename(ctx, good, good, 0) }},
		{"RenameCommit", func(ctx context.Context) error { return s.RenameCommit(ctx, bad, good, 0, d) }},
	} {
		if err := c.fn(ctx); !errors.Is(err, sessions.ErrStoreUnavailable) {
			t.Errorf("%s after Close: %v, want ErrStoreUnavailable", c.name, err)
		}
	}
}

// TestNewIgnoresOpenTimeout: Options.OpenTimeout's doc says New ignores it,
// so a value Open would refuse does not make New fail.
func TestNewIgnoresOpenTimeout(t *testing.T) {
	db, err := bbolt.Open(filepath.Join(t.TempDir(), "app.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s, err := New(db, Options{OpenTimeout: -time.Second})
	if err != nil {
		t.Fatalf("New with a negative OpenTimeout: %v", err)
	}
	s.Close()
}
