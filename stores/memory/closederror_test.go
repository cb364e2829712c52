package memory_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
	"github.com/sessionkit/sessions/storetest"
)

// TestClosedStoreErrorSaysClosed: the error of a closed store keeps
// wrapping sessions.ErrStoreUnavailable (the manager answers it with 503),
// but its text says the store was closed and what to do, not that requests
// resume when the store returns: a closed memory store never does.
func TestClosedStoreErrorSaysClosed(t *testing.T) {
	ctx := context.Background()
	s := memory.New(memory.Options{})
	key := storetest.NewKey(t)
	if err := s.Create(ctx, key, storetest.NewRecord(time.Hour)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	for _, tc := range []struct {
		method string
		call   func() error
	}{
		{"Load", func() error { _, _, err := s.Load(ctx, key); return err }},
		{"Commit", func() error { return s.Commit(ctx, key, &sessions.Delta{}) }},
		{"Increment", func() error { _, err := s.Increment(ctx, key, "n", 1); return err }},
		{"UserSessions", func() error { _, err := s.UserSessions(ctx, "alice"); return err }},
	} {
		t.Run(tc.method, func(t *testing.T) {
			err := tc.call()
			if !errors.Is(err, sessions.ErrStoreUnavailable) {
				t.Fatalf("%s after Close: %v, want an error wrapping ErrStoreUnavailable", tc.method, err)
			}
			msg := err.Error()
			for _, bad := range []string{"resume", "network"} {
				if strings.Contains(msg, bad) {
					t.Errorf("%s after Close: %q says %q, which a closed store never does", tc.method, msg, bad)
				}
			}
			for _, want := range []string{"Close", "memory.New"} {
				if !strings.Contains(msg, want) {
					t.Errorf("%s after Close: %q does not name %q (what closed it, what to do)", tc.method, msg, want)
				}
			}
		})
	}
}
