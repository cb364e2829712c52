// Package clock reads the wall clock as Unix nanoseconds at about half the
// cost of time.Now, for the per-request checks of session deadlines.
//
// time.Now reads two clocks (wall and monotonic). Wall reads only the
// monotonic one and adds it to a wall-clock anchor taken at most a minute
// earlier, so a step of the system clock shows within a minute, and until
// then the time is off by at most that step.
package clock

import (
	"sync/atomic"
	"time"
)

// resync is how long an anchor is used before the wall clock is read again.
const resync = time.Minute

// Wall is a wall clock. The zero value is ready to use and safe for
// concurrent use.
type Wall struct {
	anchor atomic.Pointer[anchor]
}

type anchor struct {
	mono time.Time // carries the monotonic reading time.Since uses
	wall int64
}

// Now returns the current time in Unix nanoseconds.
func (c *Wall) Now() int64 {
	a := c.anchor.Load()
	if a != nil {
		if d := time.Since(a.mono); d >= 0 && d < resync {
			return a.wall + int64(d)
		}
	}
	t := time.Now()
	c.anchor.Store(&anchor{mono: t, wall: t.UnixNano()})
	return t.UnixNano()
}
