package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sessionkit/sessions/cmd/internal/storeurl"
	"github.com/sessionkit/sessions/storetest"
)

func TestCommands(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	spec := "bolt:" + path
	store, closeStore, err := storeurl.Open(context.Background(), spec, "")
	if err != nil {
		t.Fatal(err)
	}
	var alice []string
	for i := range 3 {
		key := storetest.NewKey(t)
		rec := storetest.NewRecord(time.Hour, "n", i)
		if i < 2 {
			rec.User = "alice"
			alice = append(alice, key)
		}
		if err := store.Create(context.Background(), key, rec); err != nil {
			t.Fatal(err)
		}
	}
	closeStore()

	ctl := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := run(append([]string{"-store", spec}, args...), &out, &errb)
		return code, out.String(), errb.String()
	}
	code, out, _ := ctl("show", alice[0])
	var shown struct {
		ID     string         `json:"id"`
		Values map[string]any `json:"values"`
		Meta   map[string]any `json:"meta"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &shown) != nil || shown.ID != alice[0] || shown.Meta["user"] != "alice" {
		t.Fatalf("show = %d %q", code, out)
	}
	code, out, _ = ctl("list", "alice")
	var list []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &list) != nil || len(list) != 2 {
		t.Fatalf("list alice = %d %q", code, out)
	}
	if code, out, _ = ctl("revoke", alice[0]); code != 0 || !strings.Contains(out, "revoked") {
		t.Fatalf("revoke = %d %q", code, out)
	}
	if code, _, errText := ctl("show", alice[0]); code != 1 || !strings.Contains(errText, "no live session") {
		t.Fatalf("show of a revoked session = %d %q", code, errText)
	}
	if code, out, _ = ctl("revoke-user", "alice"); code != 0 || !strings.Contains(out, "revoked 1 sessions") {
		t.Fatalf("revoke-user = %d %q", code, out)
	}
	if code, _, _ = ctl("bogus"); code != 2 {
		t.Fatalf("unknown command exit = %d, want 2", code)
	}
	if code, _, _ = ctl("show"); code != 2 {
		t.Fatalf("show without a handle exit = %d, want 2", code)
	}
	if code, _, errText := ctl("show", "../../etc/passwd"); code != 1 || !strings.Contains(errText, "no live session") {
		t.Fatalf("show of a junk handle = %d %q", code, errText)
	}
}

// TestRevokeThroughGraceAlias checks that revoke ends the session a handle
// names even when the handle is the grace alias an ID rotation left (the
// handle an admin listed, or a log shows, just before the rotation): the
// store's Load reaches the renamed session through it, so sessionsctl
// reports it revoked, and the session must then be gone, not live on
// under its new key with only the alias ended.
func TestRevokeThroughGraceAlias(t *testing.T) {
	for _, tc := range []struct {
		name  string
		grace time.Duration
	}{
		{"renamed with grace", time.Minute},
		{"not renamed", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			spec := "bolt:" + filepath.Join(t.TempDir(), "s.db")
			store, closeStore, err := storeurl.Open(ctx, spec, "")
			if err != nil {
				t.Fatal(err)
			}
			old := storetest.NewKey(t)
			rec := storetest.NewRecord(time.Hour, "n", 1)
			rec.User = "alice"
			if err := store.Create(ctx, old, rec); err != nil {
				t.Fatal(err)
			}
			live := old
			if tc.grace > 0 {
				live = storetest.NewKey(t)
				if err := store.Rename(ctx, old, live, tc.grace); err != nil {
					t.Fatal(err)
				}
			}
			closeStore()

			var out, errb bytes.Buffer
			if code := run([]string{"-store", spec, "revoke", old}, &out, &errb); code != 0 || !strings.Contains(out.String(), "revoked") {
				t.Fatalf("revoke %s = %d %q %q", old[:8], code, out.String(), errb.String())
			}

			store, closeStore, err = storeurl.Open(ctx, spec, "")
			if err != nil {
				t.Fatal(err)
			}
			defer closeStore()
			for _, key := range []string{old, live} {
				if _, found, err := store.Load(ctx, key); err != nil || found {
					t.Errorf("after revoke, Load(%s...) = found %v, err %v; want the session gone", key[:8], found, err)
				}
			}
		})
	}
}
