package bolt

import (
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/internal/syncbuf"
	"github.com/sessionkit/sessions/storetest"
	"go.etcd.io/bbolt"
)

// TestNestedBucketAtSessionKey: a nested bucket where the store keeps a
// session record, a rename alias or a user index entry of one session key
// is no record at all, so the store answers as for an absent one: Load
// finds nothing, Commit and Increment are sessions.ErrNotFound. A call that
// must write or delete the entry there (Create, Rename onto the key, Rename
// with grace from it, Delete, DeleteUserSessions, Cleanup) deletes the
// nested bucket in its own transaction, logs it once at Warn, and goes on,
// rather than failing with sessions.ErrStoreUnavailable on every attempt
// and leaving the key unusable until the bucket is deleted by hand.
func TestNestedBucketAtSessionKey(t *testing.T) {
	hour := func() *sessions.Record { return storetest.NewRecord(time.Hour) }
	for _, c := range []struct {
		name string
		// prep runs store calls before the bucket is planted.
		prep func(t *testing.T, s *Store, k keys)
		// bucket and at name where the nested bucket is planted.
		bucket []byte
		at     func(k keys) []byte
		call   func(t *testing.T, s *Store, k keys) error
		want   error // nil, or what the call's error wraps
		gone   bool  // the call deleted the nested bucket
		// check, when set, checks the store after the call.
		check func(t *testing.T, s *Store, k keys)
	}{
		{
			name:   "Load of a record key",
			bucket: bucketRecords, at: recordAt,
			call: func(t *testing.T, s *Store, k keys) error {
				rec, found, err := s.Load(t.Context(), k.key)
				if found || rec != nil {
					t.Errorf("Load = %v, found %v; want nothing found", rec, found)
				}
				return err
			},
		},
		{
			name: "Load through an alias to a record key",
			prep: func(t *testing.T, s *Store, k keys) {
				mustCreate(t, s, k.other, hour())
				if err := s.Rename(t.Context(), k.other, k.key, time.Hour); err != nil {
					t.Fatal(err)
				}
				if err := s.db.Update(func(tx *bbolt.Tx) error {
					return tx.Bucket(s.root).Bucket(bucketRecords).Delete([]byte(k.key))
				}); err != nil {
					t.Fatal(err)
				}
			},
			bucket: bucketRecords, at: recordAt,
			call: func(t *testing.T, s *Store, k keys) error {
				rec, found, err := s.Load(t.Context(), k.other)
				if found || rec != nil {
					t.Errorf("Load = %v, found %v; want nothing found", rec, found)
				}
				return err
			},
		},
		{
			name:   "Commit to a record key",
			bucket: bucketRecords, at: recordAt,
			call: func(t *testing.T, s *Store, k keys) error {
				return s.Commit(t.Context(), k.key, &sessions.Delta{Set: []sessions.Field{{Key: "x", Value: 1}}})
			},
			want: sessions.ErrNotFound,
		},
		{
			name:   "Increment of a record key",
			bucket: bucketRecords, at: recordAt,
			call: func(t *testing.T, s *Store, k keys) error {
				_, err := s.Increment(t.Context(), k.key, "n", 1)
				return err
			},
			want: sessions.ErrNotFound,
		},
		{
			name:   "Create onto a record key",
			bucket: bucketRecords, at: recordAt,
			call: func(t *testing.T, s *Store, k keys) error {
				return s.Create(t.Context(), k.key, hour())
			},
			gone:  true,
			check: wantFound(func(k keys) string { return k.key }),
		},
		{
			name: "Rename onto a record key",
			prep: func(t *testing.T, s *Store, k keys) {
				mustCreate(t, s, k.other, hour())
			},
			bucket: bucketRecords, at: recordAt,
			call: func(t *testing.T, s *Store, k keys) error {
				return s.Rename(t.Context(), k.other, k.key, 0)
			},
			gone:  true,
			check: wantFound(func(k keys) string { return k.key }),
		},
		{
			name: "RenameCommit onto a record key",
			prep: func(t *testing.T, s *Store, k keys) {
				mustCreate(t, s, k.other, hour())
			},
			bucket: bucketRecords, at: recordAt,
			call: func(t *testing.T, s *Store, k keys) error {
				return s.RenameCommit(t.Context(), k.other, k.key, 0, &sessions.Delta{Set: []sessions.Field{{Key: "x", Value: 1}}})
			},
			gone:  true,
			check: wantFound(func(k keys) string { return k.key }),
		},
		{
			name:   "Delete of a record key",
			bucket: bucketRecords, at: recordAt,
			call: func(t *testing.T, s *Store, k keys) error {
				return s.Delete(t.Context(), k.key)
			},
			gone: true,
		},
		{
			name: "DeleteUserSessions through a user index entry to a record key",
			prep: func(t *testing.T, s *Store, k keys) {
				rec := hour()
				rec.User = "u"
				mustCreate(t, s, k.key, rec)
				if err := s.db.Update(func(tx *bbolt.Tx) error {
					return tx.Bucket(s.root).Bucket(bucketRecords).Delete([]byte(k.key))
				}); err != nil {
					t.Fatal(err)
				}
			},
			bucket: bucketRecords, at: recordAt,
			call: func(t *testing.T, s *Store, _ keys) error {
				n, err := s.DeleteUserSessions(t.Context(), "u", "")
				if n != 0 {
					t.Errorf("DeleteUserSessions deleted %d sessions, want 0", n)
				}
				return err
			},
			gone: true,
		},
		{
			name: "Cleanup through a due expiry entry to a record key",
			prep: func(t *testing.T, s *Store, k keys) {
				mustCreate(t, s, k.key, storetest.NewRecord(-time.Second))
				if err := s.db.Update(func(tx *bbolt.Tx) error {
					return tx.Bucket(s.root).Bucket(bucketRecords).Delete([]byte(k.key))
				}); err != nil {
					t.Fatal(err)
				}
			},
			bucket: bucketRecords, at: recordAt,
			call: func(t *testing.T, s *Store, _ keys) error {
				n, err := s.Cleanup(t.Context())
				if n != 0 {
					t.Errorf("Cleanup deleted %d sessions, want 0", n)
				}
				return err
			},
			gone: true,
		},
		{
			name:   "Create of a user's session onto its user index entry",
			bucket: bucketUsers, at: func(k keys) []byte { return userKey("u", k.key) },
			call: func(t *testing.T, s *Store, k keys) error {
				rec := hour()
				rec.User = "u"
				return s.Create(t.Context(), k.key, rec)
			},
			gone: true,
			check: func(t *testing.T, s *Store, k keys) {
				list, err := s.UserSessions(t.Context(), "u")
				if err != nil || len(list) != 1 || list[0].Key != k.key {
					t.Errorf("UserSessions = %v, %v; want the created session", list, err)
				}
			},
		},
		{
			name:   "Create onto an alias key",
			bucket: bucketAliases, at: aliasAt,
			call: func(t *testing.T, s *Store, k keys) error {
				return s.Create(t.Context(), k.key, hour())
			},
			gone:  true,
			check: wantFound(func(k keys) string { return k.key }),
		},
		{
			name: "Rename with grace from a key with an alias bucket",
			prep: func(t *testing.T, s *Store, k keys) {
				mustCreate(t, s, k.key, hour())
			},
			bucket: bucketAliases, at: aliasAt,
			call: func(t *testing.T, s *Store, k keys) error {
				return s.Rename(t.Context(), k.key, k.other, time.Hour)
			},
			gone: true,
			check: func(t *testing.T, s *Store, k keys) {
				ctx := t.Context()
				if _, found, err := s.Load(ctx, k.key); !found || err != nil {
					t.Errorf("Load of the old key within its grace: found %v, %v", found, err)
				}
			},
		},
		{
			name:   "Delete of an alias key",
			bucket: bucketAliases, at: aliasAt,
			call: func(t *testing.T, s *Store, k keys) error {
				return s.Delete(t.Context(), k.key)
			},
			gone: true,
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			var log syncbuf.Buffer
			s := openTest(t, Options{CleanupInterval: -1, Logger: slog.New(slog.NewTextHandler(&log, nil))})
			k := keys{storetest.NewKey(t), storetest.NewKey(t)}
			if c.prep != nil {
				c.prep(t, s, k)
			}
			if err := s.db.Update(func(tx *bbolt.Tx) error {
				b, err := tx.Bucket(s.root).Bucket(c.bucket).CreateBucket(c.at(k))
				if err != nil {
					return err
				}
				return b.Put([]byte("planted"), []byte("by hand"))
			}); err != nil {
				t.Fatal(err)
			}

			err := c.call(t, s, k)
			switch {
			case c.want == nil && err != nil:
				t.Errorf("error %v, want none", err)
			case c.want != nil && !errors.Is(err, c.want):
				t.Errorf("error %v, want one wrapping %v", err, c.want)
			}
			if errors.Is(err, sessions.ErrStoreUnavailable) {
				t.Errorf("error %v wraps ErrStoreUnavailable", err)
			}

			var left bool
			if err := s.db.View(func(tx *bbolt.Tx) error {
				left = tx.Bucket(s.root).Bucket(c.bucket).Bucket(c.at(k)) != nil
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if left == c.gone {
				t.Errorf("nested bucket left in place: %v, want %v", left, !c.gone)
			}
			warns := strings.Count(log.String(), "level=WARN")
			switch {
			case c.gone && (warns != 1 || !strings.Contains(log.String(), "nested bucket")):
				t.Errorf("log = %q, want one Warn about the nested bucket", log.String())
			case !c.gone && warns != 0:
				t.Errorf("log = %q, want no Warn", log.String())
			}
			if c.check != nil {
				c.check(t, s, k)
			}
		})
	}
}

// keys are the two session keys of a case: the one the nested bucket is
// planted under, and another.
type keys struct{ key, other string }

func recordAt(k keys) []byte { return []byte(k.key) }
func aliasAt(k keys) []byte  { return []byte(k.key) }

func mustCreate(t *testing.T, s *Store, key string, rec *sessions.Record) {
	t.Helper()
	if err := s.Create(t.Context(), key, rec); err != nil {
		t.Fatal(err)
	}
}

// wantFound checks that Load finds the live session under the key of k
// that key picks.
func wantFound(key func(k keys) string) func(t *testing.T, s *Store, k keys) {
	return func(t *testing.T, s *Store, k keys) {
		t.Helper()
		if _, found, err := s.Load(t.Context(), key(k)); !found || err != nil {
			t.Errorf("Load after the call: found %v, %v; want the session", found, err)
		}
	}
}
