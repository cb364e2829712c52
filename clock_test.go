package sessions_test

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
)

// newClockedManager returns a manager with opts on a memory store, both on
// one clock the test moves through the returned Unix nanoseconds. Both are
// closed when the test ends.
func newClockedManager(t *testing.T, opts sessions.Options) (*sessions.Manager, *memory.Store, *atomic.Int64) {
	t.Helper()
	now := new(atomic.Int64)
	now.Store(time.Unix(1_800_000_000, 0).UnixNano())
	clock := func() time.Time { return time.Unix(0, now.Load()) }
	store := memory.New(memory.Options{Now: clock})
	t.Cleanup(func() { store.Close() })
	opts.Now = clock
	m, err := sessions.NewManager(store, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m, store, now
}
