package bolt

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/storetest"
)

// TestWriteQueuedWhenDamageIsFound: a write waiting for its turn at the
// writer lock when another call finds the file damaged must not then enter
// bbolt, which may hold its own locks for good after the panic (here,
// bbolt's meta lock, held by a read that panicked on broken meta pages).
// Like every call after the damage, it returns the damage error, and
// promptly, rather than hanging its request forever without regard to its
// context.
func TestWriteQueuedWhenDamageIsFound(t *testing.T) {
	path := seedFile(t, 300)
	s := openDamaged(t, path, nil)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()

	// Hold the store's writer turn, as a slow write would, and queue a
	// Commit behind it: the Commit has passed the store's checks.
	s.writer <- struct{}{}
	queued := make(chan error, 1)
	go func() {
		d := &sessions.Delta{Set: []sessions.Field{{Key: "x", Value: 1}}}
		queued <- s.Commit(ctx, storetest.NewKey(t), d)
	}()
	waitQueuedWriter(t)

	// A read finds the damage, and bbolt keeps its meta lock.
	damageMeta(t, path, s.db.Info().PageSize)
	wantLoadDamaged(t, s)

	<-s.writer // the slow write ends; the Commit gets its turn
	select {
	case err := <-queued:
		wantDamaged(t, "Commit queued before the damage was found", err)
	case <-time.After(5 * time.Second):
		t.Fatal("Commit queued before the damage was found still waiting after 5s, past its 2s context: it entered bbolt, whose locks the damage left held")
	}
	wantCloseDamaged(t, s)
}

// waitQueuedWriter waits up to a second for a goroutine blocked in
// Store.update waiting for the writer turn.
func waitQueuedWriter(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(time.Second)
	for {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		for _, g := range strings.Split(string(buf), "\n\n") {
			if strings.Contains(g, "[select]") && strings.Contains(g, "stores/bolt.(*Store).update(") {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("no write waiting for the writer turn after 1s")
		}
		time.Sleep(time.Millisecond)
	}
}
