package redis

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/redis/redistest"
	"github.com/sessionkit/sessions/storetest"
)

// TestWritesRefused runs a private redis-server that is up but refuses
// writes: out of memory (maxmemory with noeviction), a replica (READONLY),
// or unable to persist (MISCONF: a failed RDB save with
// stop-writes-on-bgsave-error, the default, as on a full or lost disk).
// Each is an outage: every write must fail with an error wrapping
// ErrStoreUnavailable, never a plain error (a 500 instead of a 503) nor a
// verdict on the data such as ErrNotInteger or ErrNotFound.
func TestWritesRefused(t *testing.T) {
	for _, tc := range []struct {
		name   string
		args   func(t *testing.T) []string
		refuse func(t *testing.T, c *redis.Client)
		prefix string
		// frees allows writes that only free memory (DEL, RENAME), which
		// a server out of memory still takes.
		frees bool
	}{
		{
			name: "OOM",
			refuse: func(t *testing.T, c *redis.Client) {
				if err := c.ConfigSet(t.Context(), "maxmemory", "1").Err(); err != nil {
					t.Fatal(err)
				}
			},
			prefix: "OOM",
			frees:  true,
		},
		{
			name: "READONLY",
			refuse: func(t *testing.T, c *redis.Client) {
				// A replica of a primary that is not there: read-only.
				if err := c.Do(t.Context(), "REPLICAOF", "127.0.0.1", "1").Err(); err != nil {
					t.Fatal(err)
				}
			},
			prefix: "READONLY",
		},
		{
			name: "MISCONF",
			args: func(t *testing.T) []string {
				dir, err := os.MkdirTemp("", "sessions-misconf-")
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { os.RemoveAll(dir) })
				return []string{"--save", "3600 1", "--dir", dir}
			},
			refuse: func(t *testing.T, c *redis.Client) {
				ctx := t.Context()
				dir, err := c.ConfigGet(ctx, "dir").Result()
				if err != nil {
					t.Fatal(err)
				}
				// The save fails: its directory is gone.
				if err := os.RemoveAll(dir["dir"]); err != nil {
					t.Fatal(err)
				}
				if err := c.BgSave(ctx).Err(); err != nil {
					t.Fatal(err)
				}
				deadline := time.Now().Add(10 * time.Second)
				for {
					info, err := c.Info(ctx, "persistence").Result()
					if err != nil {
						t.Fatal(err)
					}
					if strings.Contains(info, "rdb_bgsave_in_progress:0") && strings.Contains(info, "rdb_last_bgsave_status:err") {
						return
					}
					if time.Now().After(deadline) {
						t.Fatalf("the save did not fail:\n%s", info)
					}
					time.Sleep(20 * time.Millisecond)
				}
			},
			prefix: "MISCONF",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var args []string
			if tc.args != nil {
				args = tc.args(t)
			}
			srv := redistest.StartServer(t, args...)
			c := redis.NewClient(testClientOptions(srv.Addr()))
			t.Cleanup(func() { c.Close() })
			ctx := t.Context()
			s := New(c)

			key := storetest.NewKey(t)
			rec := storetest.NewRecord(time.Hour, "n", 1)
			rec.User = "refused-user"
			if err := s.Create(ctx, key, rec); err != nil {
				t.Fatal(err)
			}
			tc.refuse(t, c)
			if err := c.Set(ctx, "probe", "1", 0).Err(); err == nil || !strings.HasPrefix(err.Error(), tc.prefix) {
				t.Fatalf("server still takes writes: %v", err)
			}

			meta := rec.Meta
			meta.LastSeen, meta.Expires = time.Now().UnixNano(), time.Now().Add(2*time.Hour).UnixNano()
			for _, o := range []struct {
				name string
				op   func(ctx context.Context) error
			}{
				{"Create", func(ctx context.Context) error {
					return s.Create(ctx, storetest.NewKey(t), storetest.NewRecord(time.Hour))
				}},
				{"Commit values", func(ctx context.Context) error {
					return s.Commit(ctx, key, &sessions.Delta{Set: []sessions.Field{{Key: "n", Value: 2}}})
				}},
				{"Commit meta", func(ctx context.Context) error {
					return s.Commit(ctx, key, &sessions.Delta{Meta: &meta, MetaFields: sessions.MetaLastSeen | sessions.MetaExpires})
				}},
				{"Increment", func(ctx context.Context) error { _, err := s.Increment(ctx, key, "n", 1); return err }},
				{"Increment new field", func(ctx context.Context) error { _, err := s.Increment(ctx, key, "hits", 1); return err }},
				{"Rename", func(ctx context.Context) error { return s.Rename(ctx, key, storetest.NewKey(t), time.Second) }},
				{"Delete", func(ctx context.Context) error { return s.Delete(ctx, key) }},
			} {
				if tc.frees && (o.name == "Rename" || o.name == "Delete") {
					continue
				}
				if err := o.op(ctx); !errors.Is(err, sessions.ErrStoreUnavailable) {
					t.Errorf("%s on a server refusing writes (%s): err = %.200v, want one wrapping ErrStoreUnavailable", o.name, tc.prefix, err)
				}
			}
			// Reads still work, and nothing was written.
			got, found, err := s.Load(ctx, key)
			if err != nil || !found {
				t.Fatalf("Load on a server refusing writes: %v, %v", found, err)
			}
			if v, _ := got.Lookup("n"); v != 1 || len(got.Fields) != 1 {
				t.Errorf("session changed by refused writes: %+v", got.Fields)
			}
		})
	}
}
