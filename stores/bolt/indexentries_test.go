package bolt

import (
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/storetest"
)

// TestWritesMoveIndexEntries checks that every write leaves exactly the
// index entries of what is stored: one expiry entry per record and alias,
// one user entry per record with a user. An entry a write forgets to
// remove lingers until the record's old deadline (weeks, for a long
// session) even though the cleaner would skip it then.
func TestWritesMoveIndexEntries(t *testing.T) {
	for _, tc := range []struct {
		name               string
		op                 func(t *testing.T, s *Store, key string)
		expiry, users, rec int
	}{
		{"Delete", func(t *testing.T, s *Store, key string) {
			if err := s.Delete(t.Context(), key); err != nil {
				t.Fatal(err)
			}
		}, 0, 0, 0},
		{"Commit of a new deadline and user", func(t *testing.T, s *Store, key string) {
			meta := storetest.NewRecord(2 * time.Hour).Meta
			meta.User = "bob"
			if err := s.Commit(t.Context(), key, &sessions.Delta{Meta: &meta}); err != nil {
				t.Fatal(err)
			}
		}, 1, 1, 1},
		{"Rename without grace", func(t *testing.T, s *Store, key string) {
			if err := s.Rename(t.Context(), key, storetest.NewKey(t), 0); err != nil {
				t.Fatal(err)
			}
		}, 1, 1, 1},
		{"Rename with grace", func(t *testing.T, s *Store, key string) {
			if err := s.Rename(t.Context(), key, storetest.NewKey(t), time.Minute); err != nil {
				t.Fatal(err)
			}
		}, 2, 1, 1},
		{"Rename onto an expired session's key", func(t *testing.T, s *Store, key string) {
			newKey := storetest.NewKey(t)
			expired := storetest.NewRecord(-time.Second)
			expired.User = "bob"
			if err := s.Create(t.Context(), newKey, expired); err != nil {
				t.Fatal(err)
			}
			if err := s.Rename(t.Context(), key, newKey, 0); err != nil {
				t.Fatal(err)
			}
		}, 1, 1, 1},
		{"DeleteUserSessions", func(t *testing.T, s *Store, key string) {
			if _, err := s.DeleteUserSessions(t.Context(), "alice", ""); err != nil {
				t.Fatal(err)
			}
		}, 0, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := openTest(t, Options{CleanupInterval: -1})
			key := storetest.NewKey(t)
			rec := storetest.NewRecord(time.Hour, "k", 1)
			rec.User = "alice"
			if err := s.Create(t.Context(), key, rec); err != nil {
				t.Fatal(err)
			}
			tc.op(t, s, key)
			if n := count(t, s, bucketRecords); n != tc.rec {
				t.Errorf("%d records, want %d", n, tc.rec)
			}
			if n := count(t, s, bucketExpiry); n != tc.expiry {
				t.Errorf("expiry index has %d entries, want %d", n, tc.expiry)
			}
			if n := count(t, s, bucketUsers); n != tc.users {
				t.Errorf("user index has %d entries, want %d", n, tc.users)
			}
		})
	}
}
