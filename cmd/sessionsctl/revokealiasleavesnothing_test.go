package main

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/storetest"
)

// TestRevokeThroughAliasLeavesNoRecord checks that revoke of a handle that
// is a grace alias deletes the renamed session's record too, not only the
// alias: ending it through the alias makes it expired, but the record
// (the user's data) would stay in the store until its cleaner ran.
func TestRevokeThroughAliasLeavesNoRecord(t *testing.T) {
	ctx := context.Background()
	old, live := storetest.NewKey(t), storetest.NewKey(t)
	spec := seededBolt(t, func(store sessions.Store) {
		rec := storetest.NewRecord(time.Hour, "n", 1)
		rec.User = "alice"
		if err := store.Create(ctx, old, rec); err != nil {
			t.Fatal(err)
		}
		if err := store.Rename(ctx, old, live, time.Minute); err != nil {
			t.Fatal(err)
		}
	})

	var out, errb bytes.Buffer
	if code := run([]string{"-store", spec, "revoke", old}, &out, &errb); code != 0 {
		t.Fatalf("revoke %s… = exit %d, stdout %q, stderr %q", old[:8], code, out.String(), errb.String())
	}

	store := openSpec(t, spec)
	cleaner, ok := store.(interface {
		Cleanup(context.Context) (int, error)
	})
	if !ok {
		t.Fatalf("the bolt store %T has no Cleanup", store)
	}
	if n, err := cleaner.Cleanup(ctx); err != nil || n != 0 {
		t.Errorf("after revoke through the alias, the store's Cleanup deleted %d records (err %v); want 0: revoke deletes the renamed session's record itself", n, err)
	}
}
