package memory_test

import (
	"testing"
	"time"

	"github.com/sessionkit/sessions/stores/memory"
	"github.com/sessionkit/sessions/storetest"
)

// TestNilDeltaLeavesStoreWorking: Commit with a nil *Delta is the caller's
// mistake and panics in the caller, as in every store; the panic must not
// leave the session's shard locked, which would hang every later call on
// the sessions of that shard (net/http recovers a handler's panic and the
// server goes on).
func TestNilDeltaLeavesStoreWorking(t *testing.T) {
	s := memory.New(memory.Options{})
	t.Cleanup(func() { s.Close() })
	ctx := t.Context()
	key := storetest.NewKey(t)
	if err := s.Create(ctx, key, storetest.NewRecord(time.Hour, "n", 1)); err != nil {
		t.Fatal(err)
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("Commit with a nil delta did not panic; want the caller's mistake to panic in the caller")
			}
		}()
		s.Commit(ctx, key, nil)
	}()
	loaded := make(chan error, 1)
	go func() {
		_, found, err := s.Load(ctx, key)
		if err == nil && !found {
			t.Error("Load after Commit with a nil delta: session not found")
		}
		loaded <- err
	}()
	select {
	case err := <-loaded:
		if err != nil {
			t.Fatalf("Load after Commit with a nil delta: %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Load after Commit with a nil delta still waiting after 2s: the panic left the shard locked")
	}
}
