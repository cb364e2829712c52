package bolt

import (
	"bytes"
	"errors"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/internal/syncbuf"
	"github.com/sessionkit/sessions/storetest"
	"go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// envDamagedChild names the case of TestDamagedFile a child process runs.
const envDamagedChild = "SESSIONS_BOLT_DAMAGED_CHILD"

// TestDamagedFile: bbolt reports a damaged database file by panicking (a
// page of an unexpected type) or by a memory fault (a page past the end of
// a truncated file), and either kills the process when nothing recovers it:
// at Open, in a request, or in the background cleaner. The store returns an
// error wrapping sessions.ErrStoreUnavailable instead, and from then on
// answers every call with it, never waiting on bbolt's locks.
// Each case runs in a child process, so that a crash fails the case rather
// than the test binary.
func TestDamagedFile(t *testing.T) {
	cases := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"Open of a truncated file", func(t *testing.T) {
			// Small enough that the pages past the new end are still
			// inside bbolt's smallest memory map: reading one faults.
			path := seedFile(t, 0)
			if err := os.Truncate(path, 2*pageSize(t, path)); err != nil {
				t.Fatal(err)
			}
			wantOpenRefused(t, path)
		}},
		{"Open of a truncated file again", func(t *testing.T) {
			// bbolt.Open panics with the file locked and mapped: the
			// store lets go of the lock, so a second Open finds the same
			// damage rather than a file held by another process.
			path := seedFile(t, 0)
			if err := os.Truncate(path, 2*pageSize(t, path)); err != nil {
				t.Fatal(err)
			}
			wantOpenRefused(t, path)
			wantOpenRefused(t, path)
		}},
		{"Open with a damaged root page", func(t *testing.T) {
			path := seedFile(t, 300)
			damagePage(t, path, func(tx *bbolt.Tx) uint64 { return uint64(tx.Cursor().Bucket().Root()) })
			wantOpenRefused(t, path)
		}},
		{"Load from a damaged records bucket", func(t *testing.T) {
			path := seedFile(t, 300)
			damagePage(t, path, nestedRoot(bucketRecords))
			s := openDamaged(t, path, nil)
			_, _, err := s.Load(t.Context(), storetest.NewKey(t))
			wantDamaged(t, "Load", err)
		}},
		{"Commit to a damaged records bucket", func(t *testing.T) {
			path := seedFile(t, 300)
			damagePage(t, path, nestedRoot(bucketRecords))
			s := openDamaged(t, path, nil)
			d := &sessions.Delta{Set: []sessions.Field{{Key: "x", Value: 1}}}
			wantDamaged(t, "Commit", s.Commit(t.Context(), storetest.NewKey(t), d))
			// The failed write left bbolt's writer lock free.
			done := make(chan error, 1)
			go func() { done <- s.Commit(t.Context(), storetest.NewKey(t), d) }()
			select {
			case err := <-done:
				wantDamaged(t, "second Commit", err)
			case <-time.After(5 * time.Second):
				t.Fatal("second Commit still waiting after 5s: the first left the writer lock held")
			}
		}},
		{"UserSessions from a damaged user index", func(t *testing.T) {
			path := seedFile(t, 300)
			damagePage(t, path, nestedRoot(bucketUsers))
			s := openDamaged(t, path, nil)
			_, err := s.UserSessions(t.Context(), "u")
			wantDamaged(t, "UserSessions", err)
		}},
		{"Cleanup of a damaged expiry index", func(t *testing.T) {
			path := seedFile(t, 300)
			damagePage(t, path, nestedRoot(bucketExpiry))
			s := openDamaged(t, path, nil)
			_, err := s.Cleanup(t.Context())
			wantDamaged(t, "Cleanup", err)
		}},
		{"every call after the damage is found", func(t *testing.T) {
			path := seedFile(t, 300)
			damagePage(t, path, nestedRoot(bucketRecords))
			s := openDamaged(t, path, nil)
			wantLoadDamaged(t, s)
			// The user index is intact, but bbolt may hold its locks
			// after the panic: the store does not enter it again.
			_, err := s.UserSessions(t.Context(), "u")
			wantDamaged(t, "UserSessions after the damage", err)
			wantDamaged(t, "Create after the damage", s.Create(t.Context(), storetest.NewKey(t), storetest.NewRecord(time.Hour)))
			wantCloseDamaged(t, s)
		}},
		{"Open after Close of a damaged store", func(t *testing.T) {
			// Close lets go of the file, so that it can be opened again
			// (after a repair, or to see the damage again) without
			// restarting the process.
			path := seedFile(t, 300)
			damagePage(t, path, nestedRoot(bucketRecords))
			s := openDamaged(t, path, nil)
			wantLoadDamaged(t, s)
			wantDamaged(t, "Close", s.Close())
			s, err := Open(path, Options{CleanupInterval: -1})
			if err != nil {
				t.Fatalf("Open after Close: %v, want the file opened again", err)
			}
			_, _, err = s.Load(t.Context(), storetest.NewKey(t))
			wantDamaged(t, "Load after opening again", err)
			wantDamaged(t, "second Close", s.Close())
		}},
		{"Open after Close of a store whose meta pages broke", func(t *testing.T) {
			// Both meta pages going bad under an open store makes bbolt
			// panic while it holds its meta lock, so bbolt's own Close
			// would wait for good: the store's Close lets go of the file
			// without it.
			path := seedFile(t, 300)
			s := openDamaged(t, path, nil)
			damageMeta(t, path, s.db.Info().PageSize)
			wantLoadDamaged(t, s)
			wantCloseDamaged(t, s)
			_, err := Open(path, Options{CleanupInterval: -1})
			if !errors.Is(err, bolterrors.ErrChecksum) {
				t.Fatalf("Open after Close: %v, want bbolt's %v (the file is no longer held)", err, bolterrors.ErrChecksum)
			}
		}},
		{"background cleaner on a damaged expiry index", func(t *testing.T) {
			path := seedFile(t, 300)
			damagePage(t, path, nestedRoot(bucketExpiry))
			var log syncbuf.Buffer
			openDamaged(t, path, &Options{
				CleanupInterval: 5 * time.Millisecond,
				Logger:          slog.New(slog.NewTextHandler(&log, nil)),
			})
			time.Sleep(100 * time.Millisecond)
			if got := log.String(); !strings.Contains(got, "damaged") {
				t.Errorf("cleaner log = %q, want its failure on the damaged file", got)
			}
		}},
	}
	child := os.Getenv(envDamagedChild)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if child != "" {
				if child == t.Name() {
					c.run(t)
				}
				return
			}
			parts := strings.Split(t.Name(), "/")
			for i, p := range parts {
				parts[i] = "^" + regexp.QuoteMeta(p) + "$"
			}
			cmd := exec.Command(os.Args[0], "-test.run="+strings.Join(parts, "/"), "-test.v", "-test.count=1")
			cmd.Env = append(os.Environ(), envDamagedChild+"="+t.Name())
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("child process failed (%v):\n%s", err, firstLines(out, 25))
			}
			if !bytes.Contains(out, []byte("--- PASS: "+t.Name())) {
				t.Fatalf("child process did not run the case:\n%s", firstLines(out, 25))
			}
		})
	}
}

// seedFile returns the path of a closed store holding n sessions of user
// "u", half of them expired: with 300, every nested bucket has pages of its
// own.
func seedFile(t *testing.T, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sessions.db")
	s, err := Open(path, Options{CleanupInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		rec := storetest.NewRecord(time.Duration(i-n/2)*time.Minute, "v", i)
		rec.User = "u"
		if err := s.Create(t.Context(), storetest.NewKey(t), rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func pageSize(t *testing.T, path string) int64 {
	t.Helper()
	db, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	return int64(db.Info().PageSize)
}

// nestedRoot returns the root page of one of the store's nested buckets.
func nestedRoot(name []byte) func(tx *bbolt.Tx) uint64 {
	return func(tx *bbolt.Tx) uint64 {
		return uint64(tx.Bucket([]byte(DefaultBucket)).Bucket(name).Root())
	}
}

// damagePage overwrites the type flags in the header of the page that page
// picks, as a disk error or a stray write would.
func damagePage(t *testing.T, path string, page func(tx *bbolt.Tx) uint64) {
	t.Helper()
	db, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	var id uint64
	err = db.View(func(tx *bbolt.Tx) error { id = page(tx); return nil })
	size := int64(db.Info().PageSize)
	db.Close()
	if err != nil || id == 0 {
		t.Fatalf("finding the page to damage: page %d, %v (an inline bucket has none of its own)", id, err)
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// A page header is its id (8 bytes), then its flags (2 bytes).
	if _, err := f.WriteAt([]byte{0xff, 0xff}, int64(id)*size+8); err != nil {
		t.Fatal(err)
	}
}

// damageMeta overwrites the checksums of both meta pages of the file at
// path, whose pages are size bytes, through a descriptor of its own.
func damageMeta(t *testing.T, path string, size int) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// A meta page's checksum is its last 8 bytes, after a 16-byte page
	// header and 56 bytes of meta fields.
	for page := range int64(2) {
		if _, err := f.WriteAt([]byte{1, 2, 3, 4, 5, 6, 7, 8}, page*int64(size)+16+56); err != nil {
			t.Fatal(err)
		}
	}
}

func openDamaged(t *testing.T, path string, opts *Options) *Store {
	t.Helper()
	if opts == nil {
		opts = &Options{CleanupInterval: -1}
	}
	s, err := Open(path, *opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// wantLoadDamaged checks that a Load from s finds the file damaged.
func wantLoadDamaged(t *testing.T, s *Store) {
	t.Helper()
	_, _, err := s.Load(t.Context(), storetest.NewKey(t))
	wantDamaged(t, "Load", err)
}

// wantCloseDamaged checks that s's Close returns the damage error within
// 5 s, however bbolt's locks were left.
func wantCloseDamaged(t *testing.T, s *Store) {
	t.Helper()
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	select {
	case err := <-closed:
		wantDamaged(t, "Close", err)
	case <-time.After(5 * time.Second):
		t.Fatal("Close still waiting after 5s")
	}
}

// wantOpenRefused checks that Open refuses the damaged file with an error.
func wantOpenRefused(t *testing.T, path string) {
	t.Helper()
	s, err := Open(path, Options{CleanupInterval: -1})
	if err == nil {
		s.Close()
		t.Fatal("Open of a damaged file: no error")
	}
	wantDamaged(t, "Open", err)
}

func wantDamaged(t *testing.T, op string, err error) {
	t.Helper()
	if !errors.Is(err, sessions.ErrStoreUnavailable) || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("%s on a damaged file: %v, want an error wrapping ErrStoreUnavailable that says the file is damaged", op, err)
	}
}

func firstLines(out []byte, n int) string {
	lines := strings.SplitN(string(out), "\n", n+1)
	return strings.Join(lines[:min(n, len(lines))], "\n")
}
