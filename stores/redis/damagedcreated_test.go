package redis

import (
	"errors"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/storetest"
)

// TestDamagedCreatedAgree checks that a hash with the format version but
// without a decimal m:c (missing, empty, not a number) is a damaged record
// to Load and to every write alike: each reports sessions.ErrCorrupt and
// none moves it or counts in it, as the package documents (every record
// it writes has m:v and m:c; a hash with only some of them is damaged).
// Load read a missing m:c as a record created at 0 and the writes wrote
// into one whatever its m:c held. Delete removes it.
func TestDamagedCreatedAgree(t *testing.T) {
	t.Parallel()
	c := sharedClient(t)
	shapes := []struct {
		name    string
		created *string // m:c, or nil for none
	}{
		{"without m:c", nil},
		{"with empty m:c", ptr("")},
		{"with m:c not a number", ptr("abc")},
		{"with m:c not decimal", ptr("1e18")},
	}
	ops := []struct {
		name string
		run  func(t *testing.T, s *Store, key string) error
	}{
		{"Load", func(t *testing.T, s *Store, key string) error {
			_, found, err := s.Load(t.Context(), key)
			if found {
				t.Errorf("Load found the damaged record")
			}
			return err
		}},
		{"CommitValues", func(t *testing.T, s *Store, key string) error {
			return s.Commit(t.Context(), key, &sessions.Delta{Set: []sessions.Field{{Key: "y", Value: "z"}}})
		}},
		{"CommitMeta", func(t *testing.T, s *Store, key string) error {
			m := storetest.NewRecord(time.Hour).Meta
			return s.Commit(t.Context(), key, &sessions.Delta{Set: []sessions.Field{{Key: "y", Value: "z"}}, Meta: &m, MetaFields: sessions.MetaLastSeen})
		}},
		{"Increment", func(t *testing.T, s *Store, key string) error {
			_, err := s.Increment(t.Context(), key, "n", 1)
			return err
		}},
		{"Rename", func(t *testing.T, s *Store, key string) error {
			return s.Rename(t.Context(), key, storetest.NewKey(t), time.Minute)
		}},
		{"RenameWithoutGrace", func(t *testing.T, s *Store, key string) error {
			return s.Rename(t.Context(), key, storetest.NewKey(t), 0)
		}},
	}
	for _, p := range protocols {
		for _, sh := range shapes {
			for _, op := range ops {
				t.Run(p.name+"/"+sh.name+"/"+op.name, func(t *testing.T) {
					t.Parallel()
					ctx := t.Context()
					s := newTestStore(t, c, p.o)
					key := storetest.NewKey(t)
					if err := s.Create(ctx, key, storetest.NewRecord(time.Hour, "n", 1)); err != nil {
						t.Fatal(err)
					}
					h := s.hashKey(key)
					if sh.created == nil {
						c.HDel(ctx, h, fCreated)
					} else {
						c.HSet(ctx, h, fCreated, *sh.created)
					}
					before := c.HGetAll(ctx, h).Val()
					if err := op.run(t, s, key); !errors.Is(err, sessions.ErrCorrupt) {
						t.Errorf("%s of a record %s = %v, want ErrCorrupt", op.name, sh.name, err)
					}
					after := c.HGetAll(ctx, h).Val()
					if op.name == "CommitValues" {
						// Its HSET goes out with its check, in one round
						// trip: the values land in the damaged hash (as in
						// any Load refuses), which stays as unreadable.
						delete(after, "v:y")
					}
					if len(after) != len(before) || after["v:n"] != before["v:n"] || after["v:y"] != "" {
						t.Errorf("%s of a record %s changed it: %v, was %v", op.name, sh.name, after, before)
					}
					if err := s.Delete(ctx, key); err != nil {
						t.Fatalf("Delete = %v", err)
					}
					if n := c.Exists(ctx, h).Val(); n != 0 {
						t.Errorf("the damaged record is still there after Delete")
					}
				})
			}
		}
	}
}
