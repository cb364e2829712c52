package bolt

import (
	"strings"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/storetest"
)

// TestCountOnlyWhatLoadReturns checks that Count counts only records Load
// can return (sessions.Counter): a live, well-formed record kept under a
// name that is not a store key (written by hand: an uppercase spelling of
// a key, or any other name) is not counted, as Load refuses every such key.
func TestCountOnlyWhatLoadReturns(t *testing.T) {
	s := openTest(t, Options{CleanupInterval: -1})
	ctx := t.Context()
	raw, err := sessions.MarshalRecord(storetest.NewRecord(time.Hour, "role", "admin"))
	if err != nil {
		t.Fatal(err)
	}
	key := storetest.NewKey(t)
	for _, name := range []string{strings.ToUpper(key), "not-a-store-key"} {
		putRaw(t, s, name, raw)
		if _, found, err := s.Load(ctx, name); found || err != nil {
			t.Fatalf("Load(%q) = %v, %v; want not found", name, found, err)
		}
	}
	if _, found, err := s.Load(ctx, key); found || err != nil {
		t.Fatalf("Load(%q) = %v, %v; want not found", key, found, err)
	}
	if n, err := s.Count(ctx); err != nil || n != 0 {
		t.Errorf("Count = %d, %v; want 0: no key makes Load return either record", n, err)
	}
}
