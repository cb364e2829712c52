package bolt

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/sessionkit/sessions/storetest"
	"go.etcd.io/bbolt"
)

// TestClosedStoreErrorSaysClosed: the error of a closed store, or of a
// store whose database the caller closed, keeps wrapping
// sessions.ErrStoreUnavailable (the manager answers it with 503), but its
// text says the store was closed and what to do, not that requests resume
// when the store returns: a closed store never does.
func TestClosedStoreErrorSaysClosed(t *testing.T) {
	for _, tc := range []struct {
		name  string
		open  func(t *testing.T) *Store
		close func(s *Store) error
	}{
		{"Open, Store.Close", func(t *testing.T) *Store {
			s, err := Open(filepath.Join(t.TempDir(), "sessions.db"), Options{})
			if err != nil {
				t.Fatal(err)
			}
			return s
		}, (*Store).Close},
		{"New, the caller's DB.Close", func(t *testing.T) *Store {
			db, err := bbolt.Open(filepath.Join(t.TempDir(), "sessions.db"), 0o600, nil)
			if err != nil {
				t.Fatal(err)
			}
			s, err := New(db, Options{CleanupInterval: -1})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		}, func(s *Store) error { return s.DB().Close() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			s := tc.open(t)
			key := storetest.NewKey(t)
			if err := s.Create(ctx, key, storetest.NewRecord(time.Hour)); err != nil {
				t.Fatal(err)
			}
			if err := tc.close(s); err != nil {
				t.Fatal(err)
			}
			storetest.RequireClosedErrors(t, s, key, []string{"Close", "bolt.Open", "bolt.New"}, nil)
		})
	}
}
