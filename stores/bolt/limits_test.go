package bolt

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/storetest"
	"go.etcd.io/bbolt"
)

// TestUserTooLongForIndex: a Meta.User too long for a user-index key (bbolt
// refuses keys over bbolt.MaxKeySize) is refused with ErrUnsupportedValue,
// as the PostgreSQL store refuses a user its index cannot hold, not with
// bbolt's raw "key too large", which wraps no sessions error. A user at the
// limit is stored and listed.
func TestUserTooLongForIndex(t *testing.T) {
	s := openTest(t, Options{CleanupInterval: -1})
	ctx := t.Context()
	limit := bbolt.MaxKeySize - 1 - keyLen
	long := strings.Repeat("u", limit+1)
	withUser := func(user string) *sessions.Record {
		r := storetest.NewRecord(time.Hour)
		r.User = user
		return r
	}
	metaUser := func(user string) *sessions.Delta {
		return &sessions.Delta{Meta: &sessions.Meta{User: user}, MetaFields: sessions.MetaUser}
	}
	for _, c := range []struct {
		name string
		op   func(key, other string) error
	}{
		{"Create", func(key, _ string) error { return s.Create(ctx, key, withUser(long)) }},
		{"Commit", func(key, _ string) error { return s.Commit(ctx, key, metaUser(long)) }},
		{"RenameCommit", func(key, other string) error { return s.RenameCommit(ctx, key, other, 0, metaUser(long)) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			key, other := storetest.NewKey(t), storetest.NewKey(t)
			if c.name != "Create" {
				if err := s.Create(ctx, key, withUser("alice")); err != nil {
					t.Fatal(err)
				}
			}
			if err := c.op(key, other); !errors.Is(err, sessions.ErrUnsupportedValue) {
				t.Fatalf("%s with a user of %d bytes: %v, want ErrUnsupportedValue", c.name, len(long), err)
			}
			if _, found, _ := s.Load(ctx, other); found {
				t.Errorf("the refused %s wrote the new key", c.name)
			}
		})
	}
	key := storetest.NewKey(t)
	atLimit := strings.Repeat("u", limit)
	if err := s.Create(ctx, key, withUser(atLimit)); err != nil {
		t.Fatalf("Create with a user of %d bytes: %v", limit, err)
	}
	if list, err := s.UserSessions(ctx, atLimit); err != nil || len(list) != 1 || list[0].Key != key {
		t.Fatalf("UserSessions of a user at the limit: %v, %v", list, err)
	}
}
