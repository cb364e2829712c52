package clock

import (
	"sync"
	"testing"
	"time"
)

func TestWallFollowsTimeNow(t *testing.T) {
	var c Wall
	for range 1000 {
		before := time.Now().UnixNano()
		got := c.Now()
		after := time.Now().UnixNano()
		// Within the anchor's minute the clock may lag a slewed wall clock
		// by microseconds at most; allow a millisecond.
		if got < before-int64(time.Millisecond) || got > after+int64(time.Millisecond) {
			t.Fatalf("Now() = %d, want within [%d, %d]", got, before, after)
		}
	}
}

func TestWallResyncsAfterAMinute(t *testing.T) {
	var c Wall
	c.Now()
	// An anchor a minute old, with a wall reading off by an hour: the next
	// read must take a fresh anchor instead of adding to it.
	old := time.Now().Add(-resync)
	c.anchor.Store(&anchor{mono: old, wall: old.UnixNano() - int64(time.Hour)})
	if got, want := c.Now(), time.Now().UnixNano(); want-got > int64(time.Second) {
		t.Fatalf("Now() = %d after a stale anchor, want about %d", got, want)
	}
}

func TestWallConcurrent(t *testing.T) {
	var c Wall
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 1000 {
				c.Now()
			}
		})
	}
	wg.Wait()
}
