package memory_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
	"github.com/sessionkit/sessions/storetest"
)

// TestClosedStoreRefuses: after Close every method of the store returns an
// error wrapping sessions.ErrStoreUnavailable, as the bbolt and PostgreSQL
// stores do, whether or not the key holds a session; Cleanup removes
// nothing. Close stays safe to call again.
func TestClosedStoreRefuses(t *testing.T) {
	ctx := context.Background()
	s := memory.New(memory.Options{})
	key, other, fresh := storetest.NewKey(t), storetest.NewKey(t), storetest.NewKey(t)
	rec := storetest.NewRecord(time.Hour, "n", 1)
	rec.User = "alice"
	if err := s.Create(ctx, key, rec); err != nil {
		t.Fatal(err)
	}
	gone := storetest.NewRecord(-time.Hour)
	if err := s.Create(ctx, other, gone); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
	}

	d := &sessions.Delta{Set: []sessions.Field{{Key: "k", Value: "v"}}}
	for _, c := range []struct {
		method string
		call   func() error
	}{
		{"Load", func() error { _, _, err := s.Load(ctx, key); return err }},
		{"Load (no session)", func() error { _, _, err := s.Load(ctx, fresh); return err }},
		{"Load (malformed key)", func() error { _, _, err := s.Load(ctx, "x"); return err }},
		{"Create", func() error { return s.Create(ctx, fresh, storetest.NewRecord(time.Hour)) }},
		{"Create (malformed key)", func() error { return s.Create(ctx, "x", storetest.NewRecord(time.Hour)) }},
		{"Commit", func() error { return s.Commit(ctx, key, d) }},
		{"Increment", func() error { _, err := s.Increment(ctx, key, "n", 1); return err }},
		{"Rename", func() error { return s.Rename(ctx, key, fresh, time.Second) }},
		{"RenameCommit", func() error { return s.RenameCommit(ctx, key, fresh, time.Second, d) }},
		{"Delete", func() error { return s.Delete(ctx, key) }},
		{"Delete (malformed key)", func() error { return s.Delete(ctx, "x") }},
		{"UserSessions", func() error { _, err := s.UserSessions(ctx, "alice"); return err }},
		{"DeleteUserSessions", func() error { _, err := s.DeleteUserSessions(ctx, "alice", ""); return err }},
	} {
		if err := c.call(); !errors.Is(err, sessions.ErrStoreUnavailable) {
			t.Errorf("%s after Close: %v, want ErrStoreUnavailable", c.method, err)
		}
	}
	if n := s.Cleanup(); n != 0 {
		t.Errorf("Cleanup after Close removed %d records, want 0", n)
	}
	if n := s.Len(); n != 2 {
		t.Errorf("Len after Close = %d, want the 2 records held at Close", n)
	}
}
