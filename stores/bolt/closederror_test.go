package bolt

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
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
			key, other := storetest.NewKey(t), storetest.NewKey(t)
			if err := s.Create(ctx, key, storetest.NewRecord(time.Hour)); err != nil {
				t.Fatal(err)
			}
			if err := tc.close(s); err != nil {
				t.Fatal(err)
			}
			d := &sessions.Delta{Set: []sessions.Field{{Key: "k", Value: "v"}}}
			for _, c := range []struct {
				method string
				call   func() error
			}{
				{"Load", func() error { _, _, err := s.Load(ctx, key); return err }},
				{"Create", func() error { return s.Create(ctx, other, storetest.NewRecord(time.Hour)) }},
				{"Commit", func() error { return s.Commit(ctx, key, d) }},
				{"Increment", func() error { _, err := s.Increment(ctx, key, "n", 1); return err }},
				{"Rename", func() error { return s.Rename(ctx, key, other, time.Second) }},
				{"Delete", func() error { return s.Delete(ctx, key) }},
				{"UserSessions", func() error { _, err := s.UserSessions(ctx, "alice"); return err }},
				{"Count", func() error { _, err := s.Count(ctx); return err }},
			} {
				err := c.call()
				if !errors.Is(err, sessions.ErrStoreUnavailable) {
					t.Fatalf("%s after Close: %v, want an error wrapping ErrStoreUnavailable", c.method, err)
				}
				msg := err.Error()
				for _, bad := range []string{"resume", "network"} {
					if strings.Contains(msg, bad) {
						t.Errorf("%s after Close: %q says %q, which a closed store never does", c.method, msg, bad)
					}
				}
				for _, want := range []string{"Close", "bolt.Open", "bolt.New"} {
					if !strings.Contains(msg, want) {
						t.Errorf("%s after Close: %q does not name %q (what closed it, what to do)", c.method, msg, want)
					}
				}
			}
		})
	}
}
