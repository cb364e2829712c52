package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sessionkit/sessions/cmd/internal/storeurl"
	"github.com/sessionkit/sessions/storetest"
)

// TestDamagedBoltFile: a session database with any one page after the
// meta pages overwritten with noise never crashes or hangs sessionsctl,
// whether the damage shows while it checks the file holds sessions or
// later, in the store: every command ends, with an error on stderr when it
// fails.
func TestDamagedBoltFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.db")
	store, closeStore, err := storeurl.Open(context.Background(), "bolt:"+good, "")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		rec := storetest.NewRecord(time.Hour, "n", i)
		rec.User = "alice"
		if err := store.Create(context.Background(), storetest.NewKey(t), rec); err != nil {
			t.Fatal(err)
		}
	}
	closeStore()
	b, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	const page = 4096
	for p := 2; p < len(b)/page; p++ {
		damaged := bytes.Clone(b)
		rand.Read(damaged[p*page : (p+1)*page])
		path := filepath.Join(dir, "damaged.db")
		if err := os.WriteFile(path, damaged, 0o600); err != nil {
			t.Fatal(err)
		}
		for _, args := range [][]string{{"count"}, {"list", "alice"}} {
			var out, errb bytes.Buffer
			code := run(append([]string{"-store", "bolt:" + path, "-timeout", "5s"}, args...), &out, &errb)
			if code != 0 && (code != 1 || errb.Len() == 0) {
				t.Errorf("page %d damaged: %s = exit %d, stderr %q; want 0, or 1 with the reason", p, args[0], code, errb.String())
			}
		}
		os.Remove(path)
	}
}
