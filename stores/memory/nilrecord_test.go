package memory_test

import (
	"testing"
	"time"

	"github.com/sessionkit/sessions/stores/memory"
	"github.com/sessionkit/sessions/storetest"
)

// TestNilRecordLeavesStoreWorking: Create with a nil *Record is the
// caller's mistake and panics in the caller; the panic must neither leave
// the key's shard locked, which would hang every later call on the
// sessions of that shard (net/http recovers a handler's panic and the
// server goes on), nor count a record the store does not hold.
func TestNilRecordLeavesStoreWorking(t *testing.T) {
	s := memory.New(memory.Options{})
	t.Cleanup(func() { s.Close() })
	ctx := t.Context()
	key := storetest.NewKey(t)
	func() {
		defer func() {
			if recover() == nil {
				t.Error("Create with a nil record did not panic; want the caller's mistake to panic in the caller")
			}
		}()
		s.Create(ctx, key, nil)
	}()
	if n := s.Len(); n != 0 {
		t.Errorf("Len after Create with a nil record = %d, want 0", n)
	}
	created := make(chan error, 1)
	go func() { created <- s.Create(ctx, key, storetest.NewRecord(time.Hour, "n", 1)) }()
	select {
	case err := <-created:
		if err != nil {
			t.Fatalf("Create after Create with a nil record: %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Create after Create with a nil record still waiting after 2s: the panic left the shard locked")
	}
	if _, found, err := s.Load(ctx, key); !found || err != nil {
		t.Errorf("Load after Create: found %v, %v", found, err)
	}
}
