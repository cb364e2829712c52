package sessions

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"slices"
	"strings"
	"sync/atomic"
)

// FlashKey names the session keys under which flash messages wait. Each
// message has a key of its own, FlashKey + "." and a stamp that orders it,
// so that requests adding and reading flashes at the same time lose none:
// a commit carries only the keys its request added or read. Keys with that
// prefix are the flash queue's; set them only through AddFlash. A list of
// strings stored under FlashKey itself is read by Flashes too, before the
// others.
const FlashKey = "_flash"

// flashPrefix starts the key of every queued flash message.
const flashPrefix = FlashKey + "."

// flashStamp is the last stamp AddFlash gave in this process: stamps never
// repeat or go back here, even with a clock that does.
var flashStamp atomic.Int64

// nextFlashStamp returns a stamp later than every one before it in this
// process and no earlier than now.
func nextFlashStamp(now int64) int64 {
	for {
		last := flashStamp.Load()
		next := max(now, last+1)
		if flashStamp.CompareAndSwap(last, next) {
			return next
		}
	}
}

// flashKey returns the key of a message queued at now: the stamp in 16 hex
// digits, so that keys sort in the order of their stamps, then 8 random
// ones, so that two servers queueing at the same instant do not share a key.
func flashKey(now int64) string {
	var b [12]byte
	binary.BigEndian.PutUint64(b[:8], uint64(nextFlashStamp(now)))
	rand.Read(b[8:]) // never fails; see crypto/rand.Read
	return flashPrefix + hex.EncodeToString(b[:])
}

// AddFlash queues a message for the next request that calls Flashes, such
// as "Saved." after a redirect. Messages are kept in the order they were
// queued; one queued by a parallel request is never lost.
func (s *Session) AddFlash(msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	if s.err != nil {
		return
	}
	s.put(flashKey(s.m.nano()), msg)
	s.changed()
}

// Flashes returns the queued flash messages, oldest first, and removes
// them. It removes only the messages it returns: one a parallel request
// queues meanwhile waits for the next call. Two parallel calls may both
// return a message.
func (s *Session) Flashes() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	if s.err != nil {
		return nil
	}
	var out []string
	removed := false
	if v, ok := s.lookup(FlashKey); ok {
		list, _ := v.([]string)
		out = append(out, list...)
		removed = s.unqueue(FlashKey) || removed
	}
	for _, f := range s.prefixed(flashPrefix) {
		if msg, ok := f.Value.(string); ok {
			out = append(out, msg)
		}
		removed = s.unqueue(f.Key) || removed
	}
	if removed {
		s.changed()
	}
	return out
}

// unqueue removes a flash key Flashes read, and reports whether the store
// must be told: a message queued earlier in this request and not yet
// written is only dropped from the pending changes. Callers hold s.mu.
func (s *Session) unqueue(key string) bool {
	stored := fieldIndex(s.local(), key) >= 0
	if !stored && s.rec != nil && !s.chg.Clear {
		_, stored = s.rec.Lookup(key)
	}
	if stored {
		s.remove(key)
		return true
	}
	if i := fieldIndex(s.chg.Set, key); i >= 0 {
		s.chg.Set = slices.Delete(s.chg.Set, i, i+1)
	}
	return false
}

// prefixed returns the values the session holds under keys that start
// with prefix, in key order. It allocates nothing when there are none.
// Callers hold s.mu.
func (s *Session) prefixed(prefix string) []Field {
	var out []Field
	add := func(fields []Field) {
		for _, f := range fields {
			if !strings.HasPrefix(f.Key, prefix) || fieldIndex(out, f.Key) >= 0 {
				continue
			}
			if v, ok := s.lookup(f.Key); ok {
				out = append(out, Field{Key: f.Key, Value: v})
			}
		}
	}
	add(s.chg.Set)
	add(s.local())
	if s.rec != nil && !s.chg.Clear {
		add(s.rec.Fields)
	}
	slices.SortFunc(out, func(a, b Field) int { return strings.Compare(a.Key, b.Key) })
	return out
}

func setField(f []Field, key string, v any) []Field {
	if i := fieldIndex(f, key); i >= 0 {
		f[i].Value = v
		return f
	}
	return append(f, Field{Key: key, Value: v})
}

// undelete prepares key for a value the request is about to set: a pending
// delete of it is dropped, and so is the value an earlier Increment
// returned for it, which would otherwise shadow the set value once that is
// committed. Callers hold s.mu.
func (s *Session) undelete(key string) {
	if i := slices.Index(s.chg.Del, key); i >= 0 {
		s.chg.Del = slices.Delete(s.chg.Del, i, i+1)
	}
	if i := fieldIndex(s.local(), key); i >= 0 {
		s.x.local = slices.Delete(s.x.local, i, i+1)
	}
}
