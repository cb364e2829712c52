// Package memory is the in-memory session store: the default, registered
// under the name "memory" when the package is imported.
//
//	import _ "github.com/sessionkit/sessions/stores/memory"
//	m := sessions.New("memory", "sid", time.Hour)
//
// Records are kept as Go values, so a request never encodes or decodes
// anything. The key space is split over 256 shards, each with its own lock;
// a record is an immutable snapshot replaced on every commit, so reads take a
// shared lock for a map lookup and never copy. Expired records are never
// served and are removed by a background cleaner that visits one shard at a
// time, scanning it under the shard's read lock. Where many have expired it
// builds the shard a new map of the live records and swaps it in, so lookups
// do not wait for the deletes (and after a wave of expiries the map is
// smaller); where few have, it deletes them in small batches. A shard left
// with a small share of the most records it held, whether they expired or
// were deleted, gets a new map the same way, so the memory of a wave of
// sessions goes back to the heap once they end. No lookup waits for a sweep
// over every session.
//
// The store lives in one process: sessions are lost on restart and not shared
// between instances. Use the Redis, PostgreSQL or bbolt store for that.
package memory

import (
	"cmp"
	"context"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/internal/clock"
)

func init() {
	sessions.Register("memory", func() (sessions.Store, error) { return New(Options{}), nil })
}

// ErrFull is returned by Create when the store holds Options.MaxEntries
// sessions. It wraps sessions.ErrStoreUnavailable, so the manager answers it
// with 503 instead of growing without bound.
var ErrFull = fmt.Errorf("%w: memory store full; raise memory.Options.MaxEntries or use a remote store", sessions.ErrStoreUnavailable)

// Options configures a Store. The zero value is ready to use.
type Options struct {
	// MaxEntries caps the number of records the store holds, live ones and
	// expired ones the cleaner has not removed yet (Len counts the same).
	// Default 4,194,304.
	MaxEntries int
	// CleanupInterval is how often expired records are removed. Default one
	// minute. Expired records are never served in between.
	CleanupInterval time.Duration
	// Now is the clock, for tests. Default time.Now.
	Now func() time.Time
}

const (
	shardCount     = 256
	defaultMax     = 1 << 22
	deleteBatch    = 128
	scanBatch      = 256
	defaultCleanup = time.Minute
)

// key is a store key's 32 bytes, decoded from its 64 hex digits and held
// in the map slot itself: a lookup follows no pointer to it, and a slot
// with its record pointer takes 40 bytes, not the 72 the digits would.
type key = [32]byte

type alias struct {
	to    key
	until int64
}

type shard struct {
	mu      sync.RWMutex
	records map[key]*sessions.Record
	// peak is the most records the records map has held, which is what its
	// memory is sized by: a Go map never shrinks on delete.
	peak    int
	aliases map[key]alias
	// aliasPeak is the most aliases the aliases map has held, which is
	// what its memory is sized by.
	aliasPeak int
	// While the cleaner scans the shard, rebuilding is set and every
	// change to records notes its key in dirty, so that a map the sweep
	// rebuilds from the scan (see compact) can take the change over.
	rebuilding bool
	dirty      []key
}

// put stores r under k. The shard must be write-locked.
func (sh *shard) put(k key, r *sessions.Record) {
	sh.records[k] = r
	sh.peak = max(sh.peak, len(sh.records))
	if sh.rebuilding {
		sh.dirty = append(sh.dirty, k)
	}
}

// drop deletes the record under k. The shard must be write-locked.
func (sh *shard) drop(k key) {
	delete(sh.records, k)
	if sh.rebuilding {
		sh.dirty = append(sh.dirty, k)
	}
}

// Store is the in-memory store. It implements sessions.Store and
// sessions.UserIndex. Create one with New; call Close to stop its cleaner.
type Store struct {
	shards [shardCount]shard
	count  atomic.Int64
	max    int64
	nano   func() int64 // the clock in Unix nanoseconds
	wall   clock.Wall
	// closed is set by Close; every method checks it first, with one
	// atomic load and no lock.
	closed atomic.Bool

	usersMu sync.Mutex
	users   map[string]*userSet
	// usersPeak is the most users the users map has held, which is what
	// its memory is sized by (a Go map never shrinks). While Cleanup
	// rebuilds the map (see shrinkUsers), usersRebuilding is set and every
	// change to it notes the user in usersDirty.
	usersPeak       int
	usersRebuilding bool
	usersDirty      []string
	// usersOutgrown lists the users whose set of keys has outgrown what it
	// holds, for Cleanup to give a new map (see shrinkUserSets).
	usersOutgrown []string

	// Counters for Stats.
	readWaits   atomic.Int64
	longestWait atomic.Int64 // nanoseconds
	sweeps      atomic.Int64
	swept       atomic.Int64

	cleanMu sync.Mutex // one Cleanup at a time

	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

var (
	_ sessions.Store     = (*Store)(nil)
	_ sessions.UserIndex = (*Store)(nil)
)

// New returns an empty store and starts its cleaner.
func New(opts Options) *Store {
	s := &Store{
		max:   int64(opts.MaxEntries),
		users: map[string]*userSet{},
		stop:  make(chan struct{}),
		done:  make(chan struct{}),
	}
	if s.max <= 0 {
		s.max = defaultMax
	}
	if now := opts.Now; now != nil {
		s.nano = func() int64 { return now().UnixNano() }
	} else {
		s.nano = s.wall.Now
	}
	for i := range s.shards {
		s.shards[i].records = map[key]*sessions.Record{}
		s.shards[i].aliases = map[key]alias{}
	}
	interval := opts.CleanupInterval
	if interval <= 0 {
		interval = defaultCleanup
	}
	go s.cleaner(interval)
	return s
}

// Close stops the cleaner and waits for it to exit. It is safe to call
// more than once. Every method called after Close returns an error wrapping
// sessions.ErrStoreUnavailable, as the other stores' do, and Cleanup
// removes nothing; Len and Stats go on reporting what the store held. A
// call that began before Close may still complete.
func (s *Store) Close() error {
	s.closed.Store(true)
	s.stopCleaner()
	return nil
}

// stopCleaner stops the background cleaner and waits for it to exit. It is
// safe to call more than once.
func (s *Store) stopCleaner() {
	s.closeOnce.Do(func() {
		close(s.stop)
		<-s.done
	})
}

// errClosed is what every method returns after Close. It wraps
// sessions.ErrStoreUnavailable, so the manager answers it with 503, but its
// text is its own: the ErrStoreUnavailable text promises that requests
// resume when the store returns, and a closed memory store never does.
var errClosed error = closedError{}

type closedError struct{}

func (closedError) Error() string {
	return "memory: store unavailable: the store was closed (Store.Close, or Manager.Close of the manager that opened it) and serves no more requests; close it after the last request, or create a new store with memory.New"
}

func (closedError) Unwrap() error { return sessions.ErrStoreUnavailable }

// check returns errClosed after Close, otherwise ctx's error: the first
// thing every method does, before it judges a key. It is small enough to
// be inlined on the Load path.
func (s *Store) check(ctx context.Context) error {
	if s.closed.Load() {
		return errClosed
	}
	return ctx.Err()
}

// Len reports how many records the store holds, expired ones not yet removed
// included.
func (s *Store) Len() int { return int(s.count.Load()) }

// parseKey decodes k. Anything but a store key's 64 lowercase hex digits
// (what sessions.ValidKey accepts, see FuzzParseKey) is refused: such a key
// is never stored, and a lookup of one finds nothing.
func parseKey(k string) (key, bool) {
	var out key
	if len(k) != 2*len(out) {
		return out, false
	}
	var bad byte
	for i := range out {
		hi, lo := unhex[k[2*i]], unhex[k[2*i+1]]
		bad |= hi | lo
		out[i] = hi<<4 | lo
	}
	return out, bad&0xf0 == 0
}

// keyString is k as the store key it was parsed from.
func keyString(k key) string { return hex.EncodeToString(k[:]) }

// shardOf is the key's first byte: the shard index.
func shardOf(k *key) uint8 { return k[0] }

// unhex maps a lowercase hex digit to its value and any other byte to 0xff.
var unhex = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = byte(c - '0')
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c] = byte(c-'a') + 10
	}
	return t
}()

func (s *Store) shard(k key) *shard { return &s.shards[shardOf(&k)] }

// rlock read-locks the shard for a lookup. While a writer holds the lock (a
// commit, or the cleaner deleting a batch or swapping in a shard's new map:
// microseconds) it spins for up to spinFor before it parks, because a
// parked goroutine waits for the OS to run its thread again, which on a busy
// machine takes a scheduler tick (milliseconds), far longer than the writer
// holds the lock. A wait is timed only when the lock was taken, so the
// uncontended path reads no clock.
func (s *Store) rlock(sh *shard) {
	if sh.mu.TryRLock() {
		return
	}
	start := time.Now()
	defer s.waited(start)
	for time.Since(start) < spinFor {
		for range 32 {
			if sh.mu.TryRLock() {
				return
			}
		}
	}
	sh.mu.RLock()
}

// waited records a lookup that waited for a shard lock since start.
func (s *Store) waited(start time.Time) {
	d := int64(time.Since(start))
	s.readWaits.Add(1)
	for {
		m := s.longestWait.Load()
		if d <= m || s.longestWait.CompareAndSwap(m, d) {
			return
		}
	}
}

const spinFor = 200 * time.Microsecond

func live(r *sessions.Record, now int64) bool { return r != nil && r.Expires > now }

// liveAlias reports whether k is a grace alias that has not ended. The
// shard of k must be locked.
func liveAlias(sh *shard, k key, now int64) bool {
	a, ok := sh.aliases[k]
	return ok && a.until > now
}

// resolve follows a live grace alias from k; it returns k itself otherwise.
func (s *Store) resolve(k key, now int64) key {
	sh := s.shard(k)
	sh.mu.RLock()
	a, ok := sh.aliases[k]
	sh.mu.RUnlock()
	if ok && a.until > now {
		return a.to
	}
	return k
}

// Load implements sessions.Store. Through a grace alias it reports the
// renamed key with sessions.ReportAlias.
func (s *Store) Load(ctx context.Context, k string) (*sessions.Record, bool, error) {
	rec, at, found, err := s.loadResolved(ctx, k)
	if found && at != k {
		sessions.ReportAlias(ctx, at)
	}
	return rec, found, err
}

// loadResolved is Load that also returns the key the record is stored
// under (k, or where k's grace alias leads).
func (s *Store) loadResolved(ctx context.Context, k string) (*sessions.Record, string, bool, error) {
	if err := s.check(ctx); err != nil {
		return nil, "", false, err
	}
	id, ok := parseKey(k)
	if !ok {
		return nil, "", false, nil
	}
	now := s.nano()
	sh := s.shard(id)
	s.rlock(sh)
	r := sh.records[id]
	aliased := false
	if r == nil {
		_, aliased = sh.aliases[id]
	}
	sh.mu.RUnlock()
	at := k
	if r == nil && aliased {
		if to := s.resolve(id, now); to != id {
			sh = s.shard(to)
			sh.mu.RLock()
			r = sh.records[to]
			sh.mu.RUnlock()
			at = keyString(to)
		}
	}
	if !live(r, now) {
		return nil, "", false, nil
	}
	return r, at, true, nil
}

// Create implements sessions.Store.
func (s *Store) Create(ctx context.Context, k string, rec *sessions.Record) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	id, ok := parseKey(k)
	if !ok {
		return fmt.Errorf("memory: %q is not a store key; pass sessions.KeyOf(id)", k)
	}
	// Copied before the shard is locked: a nil rec panics here, in the
	// caller, not under the lock, which would leave the shard's sessions
	// hanging for good.
	rec = rec.Clone()
	now := s.nano()
	sh := s.shard(id)
	sh.mu.Lock()
	old := sh.records[id]
	if live(old, now) || liveAlias(sh, id, now) {
		// A live grace alias holds the key too: Load through it finds the
		// renamed session.
		sh.mu.Unlock()
		return sessions.ErrExists
	}
	if old == nil {
		// Count first, then check: concurrent Creates in other shards
		// cannot all pass a check made before any of them counted.
		if s.count.Add(1) > s.max {
			s.count.Add(-1)
			sh.mu.Unlock()
			return ErrFull
		}
	}
	sh.put(id, rec)
	delete(sh.aliases, id)
	if old != nil && old.User != "" {
		s.unindex(old.User, id)
	}
	if rec.User != "" {
		s.index(rec.User, id)
	}
	sh.mu.Unlock()
	return nil
}

// lockLive finds the live record under id, or under the key a live grace
// alias at id points to, and returns it with its shard write-locked. The
// record and the alias are checked under the lock of id's shard, where
// Rename changes both at once, so a write racing a rename finds one of them.
// When there is no live record it returns nil and holds no lock.
func (s *Store) lockLive(id key, now int64) (*shard, key, *sessions.Record) {
	sh := s.shard(id)
	sh.mu.Lock()
	rec := sh.records[id]
	if rec == nil {
		a, aliased := sh.aliases[id]
		sh.mu.Unlock()
		if !aliased || a.until <= now {
			return nil, id, nil
		}
		id = a.to
		sh = s.shard(id)
		sh.mu.Lock()
		rec = sh.records[id]
	}
	if !live(rec, now) {
		sh.mu.Unlock()
		return nil, id, nil
	}
	return sh, id, rec
}

// Commit implements sessions.Store.
func (s *Store) Commit(ctx context.Context, k string, d *sessions.Delta) error {
	if d == nil {
		// Checked before the shard is locked: a panic under the lock
		// would leave the shard's sessions hanging for good.
		panic("sessions/memory: Commit with a nil *sessions.Delta; pass &sessions.Delta{} to change nothing")
	}
	if err := s.check(ctx); err != nil {
		return err
	}
	id, ok := parseKey(k)
	if !ok {
		return sessions.ErrNotFound
	}
	now := s.nano()
	sh, id, old := s.lockLive(id, now)
	if old == nil {
		return sessions.ErrNotFound
	}
	rec := old.Apply(d)
	sh.put(id, rec)
	if old.User != rec.User {
		if old.User != "" {
			s.unindex(old.User, id)
		}
		if rec.User != "" {
			s.index(rec.User, id)
		}
	}
	sh.mu.Unlock()
	return nil
}

// Increment implements sessions.Store.
func (s *Store) Increment(ctx context.Context, k, field string, by int64) (int64, error) {
	if err := s.check(ctx); err != nil {
		return 0, err
	}
	id, ok := parseKey(k)
	if !ok {
		return 0, sessions.ErrNotFound
	}
	now := s.nano()
	sh, id, old := s.lockLive(id, now)
	if old == nil {
		return 0, sessions.ErrNotFound
	}
	defer sh.mu.Unlock()
	var n int64
	if v, ok := old.Lookup(field); ok {
		// Only an int counts, as in the stores that encode values: what
		// another type would become depends on the store.
		i, isInt := v.(int)
		if !isInt {
			return 0, fmt.Errorf("%w (memory: field %q holds %T)", sessions.ErrNotInteger, field, v)
		}
		n = int64(i)
	}
	if (by > 0 && n > math.MaxInt-by) || (by < 0 && n < math.MinInt-by) {
		// As the other stores do: a counter never wraps around.
		return 0, sessions.ErrNotInteger
	}
	n += by
	rec := old.Clone()
	rec.SetField(field, int(n))
	sh.put(id, rec)
	return n, nil
}

// Delete implements sessions.Store. Deleting a key that is a grace alias ends
// the grace and leaves the renamed session alone.
func (s *Store) Delete(ctx context.Context, k string) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	id, ok := parseKey(k)
	if !ok {
		return nil
	}
	sh := s.shard(id)
	sh.mu.Lock()
	if old := sh.records[id]; old != nil {
		s.remove(sh, id, old)
	}
	delete(sh.aliases, id)
	sh.mu.Unlock()
	return nil
}

// remove deletes old, the record under id, with its user index entry. The
// shard sh of id must be write-locked.
func (s *Store) remove(sh *shard, id key, old *sessions.Record) {
	sh.drop(id)
	s.count.Add(-1)
	if old.User != "" {
		s.unindex(old.User, id)
	}
}

// Rename implements sessions.Store.
func (s *Store) Rename(ctx context.Context, oldKey, newKey string, grace time.Duration) error {
	return s.rename(ctx, oldKey, newKey, grace, nil)
}

// RenameCommit implements sessions.RenameCommitter: the record moves to
// newKey with d applied, under the same shard locks.
func (s *Store) RenameCommit(ctx context.Context, oldKey, newKey string, grace time.Duration, d *sessions.Delta) error {
	return s.rename(ctx, oldKey, newKey, grace, d)
}

// rename is Rename, applying d (if not nil) to the record it moves.
func (s *Store) rename(ctx context.Context, oldKey, newKey string, grace time.Duration, d *sessions.Delta) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	from, ok1 := parseKey(oldKey)
	to, ok2 := parseKey(newKey)
	if !ok1 {
		return sessions.ErrNotFound
	}
	if !ok2 {
		return fmt.Errorf("memory: %q is not a store key; pass sessions.KeyOf(id)", newKey)
	}
	now := s.nano()
	a, b := s.shard(from), s.shard(to)
	unlock := lockPair(a, b, shardOf(&from) < shardOf(&to))
	rec := a.records[from]
	if !live(rec, now) {
		unlock()
		return sessions.ErrNotFound
	}
	prev := b.records[to]
	if live(prev, now) || liveAlias(b, to, now) {
		unlock()
		return sessions.ErrExists
	}
	if prev != nil {
		s.count.Add(-1)
		if prev.User != "" {
			s.unindex(prev.User, to)
		}
	}
	if rec.User != "" {
		s.unindex(rec.User, from)
	}
	if d != nil {
		rec = rec.Apply(d)
	}
	a.drop(from)
	b.put(to, rec)
	delete(b.aliases, to)
	if grace > 0 {
		until := now + int64(grace)
		if until < now {
			until = math.MaxInt64 // a grace too long to add to the clock: no wrap
		}
		a.aliases[from] = alias{to: to, until: until}
		a.aliasPeak = max(a.aliasPeak, len(a.aliases))
	}
	if rec.User != "" {
		s.index(rec.User, to)
	}
	unlock()
	return nil
}

// lockPair write-locks two shards in shard order (aFirst reports whether a
// comes first) and returns the unlock.
func lockPair(a, b *shard, aFirst bool) func() {
	if a == b {
		a.mu.Lock()
		return a.mu.Unlock
	}
	first, second := a, b
	if !aFirst {
		first, second = b, a
	}
	first.mu.Lock()
	second.mu.Lock()
	return func() { second.mu.Unlock(); first.mu.Unlock() }
}

// The user index (users) maps a user to the keys of their records. An
// entry for key k is added or removed only while k's shard is locked: by
// the writer that changes k's record, under the write lock, or by a sweep
// that removed k's expired record, under the read lock once it has seen
// that k holds no record. So no entry a live record needs can be removed
// by a change that raced it. Entries of removed records may outlive them
// briefly; UserSessions checks every key it lists against its record. The
// lock order is shard locks, then usersMu.

// userSet is one user's keys in the user index.
type userSet struct {
	keys map[key]struct{}
	// peak is the most keys the keys map has held, which is what its
	// memory is sized by (a Go map never shrinks on delete).
	peak int
	// queued is set while the user is listed in usersOutgrown.
	queued bool
	// While Cleanup copies keys to a new map (see shrinkUserSets),
	// rebuilding is set and every change to keys notes the key in dirty.
	rebuilding bool
	dirty      []key
}

// index adds k to user's keys. The shard of k must be locked.
func (s *Store) index(user string, k key) {
	s.usersMu.Lock()
	set := s.users[user]
	if set == nil {
		set = &userSet{keys: map[key]struct{}{}}
		s.users[user] = set
		s.usersPeak = max(s.usersPeak, len(s.users))
	}
	set.keys[k] = struct{}{}
	set.peak = max(set.peak, len(set.keys))
	if set.rebuilding {
		set.dirty = append(set.dirty, k)
	}
	if s.usersRebuilding {
		s.usersDirty = append(s.usersDirty, user)
	}
	s.usersMu.Unlock()
}

// unindex removes k from user's keys. The shard of k must be locked. When
// that leaves the user's set holding under 1/compactShare of the most keys
// it held (see outgrown), the user is listed for Cleanup to give the set a
// new map: a set only shrinks here, so none is missed, and the copy is
// made in batches off this path.
func (s *Store) unindex(user string, k key) {
	s.usersMu.Lock()
	if set := s.users[user]; set != nil {
		delete(set.keys, k)
		if set.rebuilding {
			set.dirty = append(set.dirty, k)
		}
		if len(set.keys) == 0 {
			delete(s.users, user)
		} else if !set.queued && outgrown(set.peak, len(set.keys)) {
			set.queued = true
			s.usersOutgrown = append(s.usersOutgrown, user)
		}
		if s.usersRebuilding {
			s.usersDirty = append(s.usersDirty, user)
		}
	}
	s.usersMu.Unlock()
}

// UserSessions implements sessions.UserIndex.
func (s *Store) UserSessions(ctx context.Context, user string) ([]sessions.Info, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	s.usersMu.Lock()
	var keys []key
	if set := s.users[user]; set != nil {
		keys = make([]key, 0, len(set.keys))
		for k := range set.keys {
			keys = append(keys, k)
		}
	}
	s.usersMu.Unlock()
	now := s.nano()
	out := make([]sessions.Info, 0, len(keys))
	for _, k := range keys {
		sh := s.shard(k)
		sh.mu.RLock()
		r := sh.records[k]
		sh.mu.RUnlock()
		if live(r, now) && r.User == user {
			out = append(out, sessions.Info{Key: keyString(k), Meta: r.Meta})
		}
	}
	slices.SortFunc(out, func(a, b sessions.Info) int {
		return cmp.Or(cmp.Compare(a.Created, b.Created), cmp.Compare(a.Key, b.Key))
	})
	return out, nil
}

// DeleteUserSessions implements sessions.UserIndex. It deletes each listed
// key only while it still holds a record of user, under the key's shard
// lock. A key that no longer does (a rename moved the session, a commit
// gave it to another user, a Delete got there first) sends it back to the
// index, where a renamed session is listed under its new key; after
// deletePasses listings it stops (a session renamed over and over), and
// the manager's own rounds take over.
func (s *Store) DeleteUserSessions(ctx context.Context, user, exceptKey string) (int, error) {
	n := 0
	for pass := 1; ; pass++ {
		list, err := s.UserSessions(ctx, user)
		if err != nil {
			return n, err
		}
		missed := false
		for _, in := range list {
			if in.Key == exceptKey {
				continue
			}
			if err := s.check(ctx); err != nil {
				return n, err
			}
			if s.deleteOf(in.Key, user) {
				n++
			} else {
				missed = true
			}
		}
		if !missed || pass == deletePasses {
			return n, nil
		}
	}
}

// deletePasses bounds how many times DeleteUserSessions lists a user's
// sessions.
const deletePasses = 8

// deleteOf deletes the record under k if it is user's, and reports whether
// it did.
func (s *Store) deleteOf(k, user string) bool {
	id, ok := parseKey(k)
	if !ok {
		return false
	}
	sh := s.shard(id)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	old := sh.records[id]
	if old == nil || old.User != user {
		return false
	}
	s.remove(sh, id, old)
	return true
}
