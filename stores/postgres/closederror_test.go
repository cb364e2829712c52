package postgres

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/storetest"
)

// TestClosedStoreErrorSaysClosed: the error of a closed store keeps
// wrapping sessions.ErrStoreUnavailable (the manager answers it with 503),
// but its text says the store was closed and what to do, not that requests
// resume when the store returns: a closed store never does.
func TestClosedStoreErrorSaysClosed(t *testing.T) {
	s := newTestStore(t, Options{CleanupInterval: -1})
	ctx := t.Context()
	key, other := storetest.NewKey(t), storetest.NewKey(t)
	if err := s.Create(ctx, key, storetest.NewRecord(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	d := &sessions.Delta{Set: []sessions.Field{{Key: "k", Value: "v"}}}
	for _, c := range []struct {
		method string
		call   func() error
	}{
		{"Load", func() error { _, _, err := s.Load(ctx, key); return err }},
		{"Create", func() error { return s.Create(ctx, other, storetest.NewRecord(time.Hour)) }},
		{"Commit", func() error { return s.Commit(ctx, key, d) }},
		{"Increment", func() error { _, err := s.Increment(ctx, key, "n", 1); return err }},
		{"Rename", func() error { return s.Rename(ctx, key, other, time.Second) }},
		{"Delete", func() error { return s.Delete(ctx, key) }},
		{"UserSessions", func() error { _, err := s.UserSessions(ctx, "alice"); return err }},
		{"Migrate", func() error { return s.Migrate(ctx) }},
	} {
		err := c.call()
		if !errors.Is(err, sessions.ErrStoreUnavailable) {
			t.Fatalf("%s after Close: %v, want an error wrapping ErrStoreUnavailable", c.method, err)
		}
		msg := err.Error()
		for _, bad := range []string{"resume", "network"} {
			if strings.Contains(msg, bad) {
				t.Errorf("%s after Close: %q says %q, which a closed store never does", c.method, msg, bad)
			}
		}
		for _, want := range []string{"Close", "postgres.New"} {
			if !strings.Contains(msg, want) {
				t.Errorf("%s after Close: %q does not name %q (what closed it, what to do)", c.method, msg, want)
			}
		}
	}
}
