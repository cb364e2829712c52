package memory

import (
	"runtime"
	"time"

	"github.com/sessionkit/sessions"
)

// compactShare decides how a sweep removes a shard's expired records. When
// more than one delete batch of them has expired and they are at least
// 1/compactShare of the shard, or when the shard's live records are fewer
// than 1/compactShare of the most it ever held and more than a delete batch
// fewer, the shard gets a new map of its live records, built without
// holding the shard's write lock and swapped in under it; otherwise the
// expired ones are deleted in batches.
const compactShare = 8

func (s *Store) cleaner(interval time.Duration) {
	defer close(s.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			s.Cleanup()
		}
	}
}

// entry is one record of a shard as a sweep's scan found it.
type entry struct {
	k key
	r *sessions.Record
}

// sweep holds the buffers a Cleanup reuses from shard to shard.
type sweep struct {
	expired, kept []entry
	dead          []key
	// aliases is set when the shard's aliases need the write lock: some
	// have ended, or the map holds a small share of the most it held.
	aliases bool
	// spare is the map the last compaction replaced, emptied, and
	// sparePeak the most records it ever held: its size.
	spare     map[key]*sessions.Record
	sparePeak int
}

// Cleanup removes expired records and grace aliases now, one shard at a time.
// It scans a shard under its read lock, which lookups share, releasing it
// every few hundred records. Where many records have expired (more than 128,
// and at least one in eight) it builds the shard a new map of the live ones
// outside any lock and swaps it in under the write lock, taking over the
// changes writers made during the scan, so a lookup never waits for the
// deletes. It rebuilds a shard's map the same way when the shard holds
// fewer than one in eight of the most records it ever held (and more than
// 128 fewer), however its records left: a wave of sessions that end by
// logout (Delete) or by a Rename without grace gives its memory back as a
// wave of expiries does. A rebuilt map is sized for at most four times the
// records it took, so a shard that stays at that size is not rebuilt again.
// The new map is the old map of the shard rebuilt before, emptied,
// unless that one once held more than four times the records kept, or fewer
// than them: then it is a map of the right size, so the store's memory
// shrinks back after a wave of expiries or deletes (a Go map never shrinks
// on delete, so its size is the most records it ever held, not the records
// it held last). A shard's map of grace aliases is likewise rebuilt when
// most of it has ended, the user index when most of its users are gone,
// and one user's set of keys when most of that user's keys are. A shard
// whose records leave a few at a time keeps its map, and its size, until
// it holds under one in eight of its most. Where few have expired it
// deletes them in batches of 128 under the write lock. The background
// cleaner calls it every Options.CleanupInterval; calls run one at a time.
// After Close it removes nothing and returns 0.
func (s *Store) Cleanup() (removed int) {
	if s.closed.Load() {
		return 0
	}
	s.cleanMu.Lock()
	defer s.cleanMu.Unlock()
	var w sweep
	for i := range s.shards {
		removed += s.sweepShard(&s.shards[i], &w)
	}
	s.shrinkUsers()
	s.shrinkUserSets()
	s.sweeps.Add(1)
	s.swept.Add(int64(removed))
	return removed
}

// sweepShard removes sh's expired records and aliases and returns how many
// records it removed.
func (s *Store) sweepShard(sh *shard, w *sweep) int {
	now := s.nano()
	w.expired, w.kept, w.dead = w.expired[:0], w.kept[:0], w.dead[:0]
	sh.mu.Lock()
	sh.rebuilding = true
	unlockSweep(sh)
	sh.mu.RLock()
	seen := 0
	for k, r := range sh.records {
		if r.Expires <= now {
			w.expired = append(w.expired, entry{k, r})
		} else {
			w.kept = append(w.kept, entry{k, r})
		}
		if seen++; seen%scanBatch == 0 {
			// Let a waiting writer in (and the readers queued behind
			// it). Go map iteration allows changes between steps; the
			// writer notes what it changed in sh.dirty.
			sh.mu.RUnlock()
			sh.mu.RLock()
		}
	}
	for k, a := range sh.aliases {
		if a.until <= now {
			w.dead = append(w.dead, k)
		}
	}
	w.aliases = len(w.dead) > 0 || outgrown(sh.aliasPeak, len(sh.aliases))
	peak := sh.peak
	sh.mu.RUnlock()
	n, live := len(w.expired), len(w.kept)
	if (n > deleteBatch && n*compactShare >= n+live) || outgrown(peak, live) {
		return s.compact(sh, w, now)
	}
	sh.mu.Lock()
	sh.rebuilding, sh.dirty = false, nil
	unlockSweep(sh)
	return s.deleteExpired(sh, w, now)
}

// outgrown reports whether a map that once held peak entries, and would
// keep live of them, holds fewer than 1/compactShare of its peak and more
// than a delete batch fewer: worth a new map of its own size, as a Go map
// never shrinks on delete. For a shard's records it catches those that
// left through Delete or Rename, which a sweep does not count as expired.
// A rebuild sets the shard's peak to its new map's size, at most four
// times the records the map took (see compact), so a shard that stays at
// that size is not rebuilt again.
func outgrown(peak, live int) bool {
	return peak-live > deleteBatch && live < peak/compactShare
}

// compact gives sh a new map holding the records its scan kept, with the
// changes writers made since the scan started applied on top, and drops
// the dead aliases. The write lock is held for the changes only.
func (s *Store) compact(sh *shard, w *sweep, now int64) int {
	// The new map is the one the last compaction replaced, emptied,
	// unless it would be four times too big or would have to grow. Memory
	// new to the heap costs page faults, and a sweep that made every shard
	// a new map slowed the lookups beside it (to 1-2 ms at 1M sessions,
	// half expired). A map is as big as the most records it ever held,
	// which may be far more than it held when it was replaced (records
	// deleted one by one leave their room behind).
	fresh, size := w.spare, w.sparePeak
	if fresh == nil || len(w.kept) < size/4 || len(w.kept) > size {
		fresh, size = make(map[key]*sessions.Record, len(w.kept)), len(w.kept)
	}
	w.spare = nil
	for _, e := range w.kept {
		fresh[e.k] = e.r
	}
	sh.mu.Lock()
	takeOver(fresh, sh.records, sh.dirty)
	// Every record gone from the new map is an expired one the scan found
	// that no writer has touched since.
	removed := len(sh.records) - len(fresh)
	old, oldPeak := sh.records, sh.peak
	sh.records, sh.peak = fresh, max(size, len(fresh))
	sh.rebuilding, sh.dirty = false, nil
	s.count.Add(-int64(removed))
	dropAliases(sh, w.dead, now)
	unlockSweep(sh)
	clear(old)
	w.spare, w.sparePeak = old, oldPeak
	s.unindexGone(sh, w.expired)
	return removed
}

// deleteExpired deletes the expired records w holds from sh, in batches,
// and the dead aliases.
func (s *Store) deleteExpired(sh *shard, w *sweep, now int64) (removed int) {
	expired, dead, aliases := w.expired, w.dead, w.aliases
	for start := 0; start < len(expired) || aliases; {
		batch := expired[start:min(len(expired), start+deleteBatch)]
		start += len(batch)
		// Look the batch up first under the read lock, which lookups
		// share: it brings the map's slots into the CPU cache, so the
		// write lock below is held for cache hits only, a fraction of the
		// time, and a batch whose records all changed meanwhile takes no
		// write lock at all.
		sh.mu.RLock()
		due := 0
		for _, v := range batch {
			if sh.records[v.k] == v.r {
				due++
			}
		}
		sh.mu.RUnlock()
		if due == 0 && !aliases {
			continue
		}
		sh.mu.Lock()
		for j, v := range batch {
			// Records are immutable snapshots: the same pointer is the
			// same expired record, and comparing it needs no read of the
			// record (a cache miss) while the lock is held.
			if sh.records[v.k] == v.r {
				delete(sh.records, v.k)
				s.count.Add(-1)
				removed++
			} else {
				batch[j].r = nil
			}
		}
		if aliases {
			dropAliases(sh, dead, now)
			aliases = false
		}
		unlockSweep(sh)
		s.unindexGone(sh, batch)
	}
	return removed
}

// unindexGone removes from the user index the keys of the expired records
// in gone (nil: not removed) that hold no record of the same user now. It
// checks and removes under sh's read lock, which lookups share: no writer
// can store a record under one of those keys, and index it, in between. A
// writer that replaced or deleted one of them before the sweep removed it
// has already updated the index itself; one that stored a record under the
// key after (a Create or Rename that found the key empty) did not know the
// swept record's user, so its entry is removed here unless the new record
// is that user's too.
func (s *Store) unindexGone(sh *shard, gone []entry) {
	locked, held := false, 0
	for _, v := range gone {
		if v.r == nil || v.r.User == "" {
			continue
		}
		if !locked {
			sh.mu.RLock()
			locked = true
		}
		if cur := sh.records[v.k]; cur == nil || cur.User != v.r.User {
			s.unindex(v.r.User, v.k)
		}
		if held++; held%scanBatch == 0 {
			// Let a waiting writer in, as the scan does.
			sh.mu.RUnlock()
			sh.mu.RLock()
		}
	}
	if locked {
		sh.mu.RUnlock()
	}
}

// shrinkUsers gives the user index a new map when it holds fewer than
// 1/compactShare of the users it once held (and more than a delete batch
// fewer): after a wave of expiries the old map's memory goes back to the
// heap, as a Go map never shrinks on delete. The users are copied a scan
// batch at a time, releasing usersMu in between so that writers indexing
// a session wait for one batch at most; users they change meanwhile are
// noted in usersDirty and copied again under the lock before the new map
// is swapped in. Each user's own set of keys moves over as it is (see
// shrinkUserSets for those).
func (s *Store) shrinkUsers() {
	s.usersMu.Lock()
	defer s.usersMu.Unlock()
	left := len(s.users)
	if !outgrown(s.usersPeak, left) {
		return
	}
	s.usersRebuilding = true
	fresh := make(map[string]*userSet, left)
	seen := 0
	for u, set := range s.users {
		fresh[u] = set
		s.yieldUsers(&seen) // writers note what they change in usersDirty
	}
	takeOver(fresh, s.users, s.usersDirty)
	s.users = fresh
	s.usersPeak = max(left, len(fresh))
	s.usersRebuilding, s.usersDirty = false, nil
}

// yieldUsers counts a step of a rebuild under usersMu in *seen and, every
// scanBatch steps, releases usersMu for a moment, so that writers wait for
// one batch at most. Go map iteration allows changes between steps; the
// yield lets a writer woken by the unlock take the lock first.
func (s *Store) yieldUsers(seen *int) {
	if *seen++; *seen%scanBatch == 0 {
		s.usersMu.Unlock()
		runtime.Gosched()
		s.usersMu.Lock()
	}
}

// shrinkUserSets gives each user listed in usersOutgrown a new map of the
// keys they hold now, if their set still holds fewer than 1/compactShare
// of the most keys it held: a user who once had a wave of sessions (a
// script logging in in a loop) and has a few left gives the wave's memory
// back, as a Go map never shrinks on delete. As in shrinkUsers the keys
// are copied a scan batch at a time, releasing usersMu in between; the
// keys writers change meanwhile are noted in the set's dirty list and
// taken over under the lock before the new map is swapped in. The set's
// peak becomes the new map's size, so a set that stays at that size is
// not rebuilt again, and one rebuild is paid for by the deletes of at
// least seven times as many keys as it copies.
func (s *Store) shrinkUserSets() {
	s.usersMu.Lock()
	defer s.usersMu.Unlock()
	queue := s.usersOutgrown
	s.usersOutgrown = nil
	// seen counts the users and keys visited, across sets, so that many
	// small sets hold usersMu no longer than one large one.
	seen := 0
	for _, user := range queue {
		s.yieldUsers(&seen)
		set := s.users[user]
		if set == nil || !set.queued {
			// The set listed is gone: the user's keys all left (a set
			// made for the user since then is not listed).
			continue
		}
		left := len(set.keys)
		if !outgrown(set.peak, left) {
			// It grew back.
			set.queued = false
			continue
		}
		set.rebuilding = true
		fresh := make(map[key]struct{}, left)
		for k := range set.keys {
			fresh[k] = struct{}{}
			s.yieldUsers(&seen) // writers note what they change in set.dirty
		}
		takeOver(fresh, set.keys, set.dirty)
		set.keys = fresh
		set.peak = max(left, len(fresh))
		set.rebuilding, set.dirty, set.queued = false, nil, false
	}
}

// dropAliases deletes the aliases in dead that are still past their end.
// A Go map never shrinks on delete, so when the map holds under
// 1/compactShare of the most aliases it held (see outgrown), however they
// left (a wave of rotations whose graces have ended, over one sweep or
// several, or Deletes of the old keys), the few aliases left move to a new
// map and the old one's memory goes back to the heap. The shard must be
// write-locked.
func dropAliases(sh *shard, dead []key, now int64) {
	for _, k := range dead {
		if cur, ok := sh.aliases[k]; ok && cur.until <= now {
			delete(sh.aliases, k)
		}
	}
	if left := len(sh.aliases); outgrown(sh.aliasPeak, left) {
		fresh := make(map[key]alias, left)
		for k, a := range sh.aliases {
			fresh[k] = a
		}
		sh.aliases, sh.aliasPeak = fresh, left
	}
}

// unlockSweep releases the write lock a sweep took on sh and yields. A
// lookup that gave up spinning and parked behind the lock is woken onto the
// sweep's own processor; without the yield it would wait there until
// another processor took it or the sweep's time slice ended, milliseconds
// when the OS is slow to run the other thread.
func unlockSweep(sh *shard) {
	sh.mu.Unlock()
	runtime.Gosched()
}

// takeOver brings fresh, a map being built to replace cur, up to date with
// the keys writers changed in cur meanwhile (dirty): what cur holds under
// each is copied, and a key cur no longer holds is deleted.
func takeOver[K comparable, V any](fresh, cur map[K]V, dirty []K) {
	for _, k := range dirty {
		if v, ok := cur[k]; ok {
			fresh[k] = v
		} else {
			delete(fresh, k)
		}
	}
}
