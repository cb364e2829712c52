package sessions

import "slices"

// FlashKey is the session key under which flash messages wait.
const FlashKey = "_flash"

// AddFlash queues a message for the next request that calls Flashes, such
// as "Saved." after a redirect.
func (s *Session) AddFlash(msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	if s.err != nil {
		return
	}
	v, _ := s.lookup(FlashKey)
	list, _ := v.([]string)
	list = append(append([]string(nil), list...), msg)
	s.undelete(FlashKey)
	s.chg.Set = setField(s.chg.Set, FlashKey, list)
	s.changed()
}

// Flashes returns the queued flash messages and removes them.
func (s *Session) Flashes() []string {
	v := s.Pop(FlashKey)
	list, _ := v.([]string)
	return list
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
