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
