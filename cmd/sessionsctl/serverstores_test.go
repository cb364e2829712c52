package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sessionkit/sessions/cmd/internal/storeurl"
	"github.com/sessionkit/sessions/cmd/internal/testenv"
	"github.com/sessionkit/sessions/storetest"
)

func randomName(t *testing.T) string {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b[:])
}

// redisSpec returns a -store URL for the Redis at SESSIONS_REDIS_ADDR with
// a key prefix of the test's own, whose keys are deleted when the test
// ends, or skips the test with SKIP-NO-SERVER.
func redisSpec(t *testing.T) string {
	t.Helper()
	addr := testenv.RequireRedis(t)
	prefix := "sessionsctltest:" + randomName(t) + ":"
	t.Cleanup(func() {
		c := redis.NewClient(&redis.Options{Addr: addr})
		defer c.Close()
		ctx := context.Background()
		iter := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			c.Del(ctx, iter.Val())
		}
		if err := iter.Err(); err != nil {
			t.Errorf("deleting the test's keys: %v", err)
		}
	})
	return "redis://" + addr + "/0?key_prefix=" + url.QueryEscape(prefix)
}

// postgresSpec returns a -store URL whose search_path is a fresh schema
// holding the store's tables, dropped when the test ends, or skips the
// test with SKIP-NO-SERVER.
func postgresSpec(t *testing.T) string {
	t.Helper()
	_, _, spec := testenv.FreshSchema(t, "sessionsctl_test_", storeurl.Redact)
	return spec
}

// serverStores are the stores sessionsctl can open, each with a
// specification of a fresh store on its real server.
var serverStores = []struct {
	name string
	spec func(t *testing.T) string
}{
	{"bolt", func(t *testing.T) string { return "bolt:" + filepath.Join(t.TempDir(), "s.db") }},
	{"redis", redisSpec},
	{"postgres", postgresSpec},
}

// TestCommandsOnEveryStore runs every command against every store
// sessionsctl can open, on the real servers: sessions made by the store as
// a server would (three, two of them alice's, one of those renamed with a
// grace, as an ID rotation does), then show, list, count, revoke,
// revoke-user, each checked exactly.
func TestCommandsOnEveryStore(t *testing.T) {
	for _, tc := range serverStores {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			spec := tc.spec(t)
			// The server's side: Open, as the demo does.
			store, closeStore, err := storeurl.Open(ctx, spec, "")
			if err != nil {
				t.Fatal(err)
			}
			var alice []string
			var anon string
			for i := range 3 {
				key := storetest.NewKey(t)
				rec := storetest.NewRecord(time.Hour, "n", i)
				if i < 2 {
					rec.User = "alice"
					alice = append(alice, key)
				} else {
					anon = key
				}
				if err := store.Create(ctx, key, rec); err != nil {
					t.Fatal(err)
				}
			}
			rotated := storetest.NewKey(t)
			if err := store.Rename(ctx, alice[1], rotated, time.Minute); err != nil {
				t.Fatal(err)
			}
			closeStore()

			ctl := func(args ...string) (int, string, string) {
				t.Helper()
				var out, errb bytes.Buffer
				code := run(append([]string{"-store", spec}, args...), &out, &errb)
				return code, out.String(), errb.String()
			}
			count := func(want string) {
				t.Helper()
				if code, out, errText := ctl("count"); code != 0 || out != want+"\n" {
					t.Fatalf("count = exit %d, stdout %q, stderr %q; want 0 and %q", code, out, errText, want)
				}
			}

			code, out, errText := ctl("show", alice[0])
			var shown struct {
				ID     string         `json:"id"`
				Values map[string]any `json:"values"`
				Meta   map[string]any `json:"meta"`
			}
			if code != 0 || json.Unmarshal([]byte(out), &shown) != nil || shown.ID != alice[0] || shown.Meta["user"] != "alice" || shown.Values["n"] != float64(0) {
				t.Fatalf("show = %d %q %q", code, out, errText)
			}
			code, out, errText = ctl("list", "alice")
			var list []map[string]any
			if code != 0 || json.Unmarshal([]byte(out), &list) != nil || len(list) != 2 {
				t.Fatalf("list alice = %d %q %q", code, out, errText)
			}
			ids := map[any]bool{list[0]["id"]: true, list[1]["id"]: true}
			if !ids[alice[0]] || !ids[rotated] {
				t.Errorf("list alice = %v; want %s… and %s…", ids, alice[0][:8], rotated[:8])
			}
			count("3")

			if code, out, errText = ctl("revoke", anon); code != 0 || out != "revoked "+anon+"\n" {
				t.Fatalf("revoke = %d %q %q", code, out, errText)
			}
			if code, _, errText = ctl("show", anon); code != 1 || !strings.Contains(errText, "no live session") {
				t.Fatalf("show of a revoked session = %d %q", code, errText)
			}
			count("2")

			if code, out, errText = ctl("revoke-user", "alice"); code != 0 || out != "revoked 2 sessions of alice\n" {
				t.Fatalf("revoke-user = %d %q %q", code, out, errText)
			}
			for _, key := range []string{alice[0], alice[1], rotated} {
				if code, _, errText = ctl("show", key); code != 1 || !strings.Contains(errText, "no live session") {
					t.Errorf("show %s… after revoke-user = %d %q", key[:8], code, errText)
				}
			}
			code, out, _ = ctl("list", "alice")
			if code != 0 || strings.TrimSpace(out) != "[]" {
				t.Errorf("list alice after revoke-user = %d %q, want []", code, out)
			}
			count("0")
		})
	}
}
