package redis

import (
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/storetest"
)

// TestWritesRefuseExpiredRecord checks every write on a record whose
// Meta.Expires has passed while its hash still exists (the TTL rounds the
// deadline up to the next millisecond, and Redis keeps a key through its
// expiry millisecond; here the TTL is left an hour ahead): Load finds no
// session, so no write may find one either, nor bring it back.
func TestWritesRefuseExpiredRecord(t *testing.T) {
	t.Parallel()
	c := sharedClient(t)
	past := strconv.FormatInt(time.Now().Add(-time.Second).UnixNano(), 10)
	for _, proto := range protocols {
		t.Run(proto.name, func(t *testing.T) {
			s := newTestStore(t, c, proto.o)
			ctx := t.Context()
			for _, w := range []struct {
				name  string
				write func(key string) error
			}{
				{"Commit of values", func(key string) error {
					return s.Commit(ctx, key, &sessions.Delta{Set: []sessions.Field{{Key: "n", Value: 2}}})
				}},
				{"Commit of values and a delete", func(key string) error {
					return s.Commit(ctx, key, &sessions.Delta{Set: []sessions.Field{{Key: "n", Value: 2}}, Del: []string{"x"}})
				}},
				{"Commit moving the expiry", func(key string) error {
					m := storetest.NewRecord(time.Hour).Meta
					return s.Commit(ctx, key, &sessions.Delta{Meta: &m, MetaFields: sessions.MetaExpires})
				}},
				{"Increment", func(key string) error {
					_, err := s.Increment(ctx, key, "n", 1)
					return err
				}},
				{"Rename", func(key string) error { return s.Rename(ctx, key, storetest.NewKey(t), 0) }},
			} {
				t.Run(w.name, func(t *testing.T) {
					key := storetest.NewKey(t)
					if err := s.Create(ctx, key, storetest.NewRecord(time.Hour, "n", 1, "x", "y")); err != nil {
						t.Fatal(err)
					}
					if err := c.HSet(ctx, s.hashKey(key), fExpires, past).Err(); err != nil {
						t.Fatal(err)
					}
					if _, found, err := s.Load(ctx, key); found || err != nil {
						t.Fatalf("setup: Load = %v, %v; want not found", found, err)
					}
					if err := w.write(key); !errors.Is(err, sessions.ErrNotFound) {
						t.Errorf("%s on an expired record = %v, want ErrNotFound", w.name, err)
					}
					if _, found, err := s.Load(ctx, key); found || err != nil {
						t.Errorf("Load after the write = %v, %v; want not found: the write brought it back", found, err)
					}
				})
			}
		})
	}
}
