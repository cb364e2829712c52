package memory

import "time"

// Stats is a snapshot of a store's counters, for monitoring and for
// checking that a sweep does not hold up lookups.
type Stats struct {
	// Sessions is the number of records held, expired ones the cleaner has
	// not removed yet included (the same as Len).
	Sessions int
	// Sweeps is the number of Cleanup runs, by the background cleaner or
	// by a direct call; Removed is the number of expired records they
	// removed.
	Sweeps, Removed int64
	// ReadWaits is the number of Loads that found their shard write-locked
	// (by a commit, or by a sweep deleting a batch or swapping in a new
	// map) and waited for it, and
	// LongestReadWait the longest such wait since the store was created.
	// A Load that never waited reads no clock and is not counted.
	ReadWaits       int64
	LongestReadWait time.Duration
}

// Stats returns the store's counters. It takes no lock.
func (s *Store) Stats() Stats {
	return Stats{
		Sessions:        s.Len(),
		Sweeps:          s.sweeps.Load(),
		Removed:         s.swept.Load(),
		ReadWaits:       s.readWaits.Load(),
		LongestReadWait: time.Duration(s.longestWait.Load()),
	}
}
