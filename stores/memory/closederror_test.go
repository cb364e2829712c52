package memory_test

import (
	"context"
	"testing"
	"time"

	"github.com/sessionkit/sessions/stores/memory"
	"github.com/sessionkit/sessions/storetest"
)

// TestClosedStoreErrorSaysClosed: the error of a closed store keeps
// wrapping sessions.ErrStoreUnavailable (the manager answers it with 503),
// but its text says the store was closed and what to do, not that requests
// resume when the store returns: a closed memory store never does.
func TestClosedStoreErrorSaysClosed(t *testing.T) {
	s := memory.New(memory.Options{})
	key := storetest.NewKey(t)
	if err := s.Create(context.Background(), key, storetest.NewRecord(time.Hour)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	storetest.RequireClosedErrors(t, s, key, []string{"Close", "memory.New"}, nil)
}
