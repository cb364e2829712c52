package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/sessionkit/sessions/storetest"
)

// TestClosedStoreErrorSaysClosed: the error of a closed store keeps
// wrapping sessions.ErrStoreUnavailable (the manager answers it with 503),
// but its text says the store was closed and what to do, not that requests
// resume when the store returns: a closed store never does.
func TestClosedStoreErrorSaysClosed(t *testing.T) {
	s := newTestStore(t, Options{CleanupInterval: -1})
	ctx := t.Context()
	key := storetest.NewKey(t)
	if err := s.Create(ctx, key, storetest.NewRecord(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	storetest.RequireClosedErrors(t, s, key, []string{"Close", "postgres.New"}, map[string]func(context.Context) error{
		"Migrate": s.Migrate,
	})
}
