package sessions

import (
	"fmt"
	"slices"
	"strings"
	"sync"
)

var (
	registryMu sync.RWMutex
	registry   = map[string]func() (Store, error){}
)

// Register makes a store available to New under name. Store packages call it
// from init, so a blank import is enough:
//
//	import _ "github.com/sessionkit/sessions/stores/memory"
//
// The registry is a convenience; NewManager takes a store value directly and
// needs no registration. Register panics if open is nil or name is already
// registered.
func Register(name string, open func() (Store, error)) {
	registryMu.Lock()
	defer registryMu.Unlock()
	if open == nil {
		panic("sessions: Register of a nil store opener for " + name)
	}
	if _, dup := registry[name]; dup {
		panic("sessions: Register called twice for store " + name)
	}
	registry[name] = open
}

// Stores returns the names of the registered stores, sorted.
func Stores() []string {
	registryMu.RLock()
	defer registryMu.RUnlock()
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func openRegistered(name string) (Store, error) {
	registryMu.RLock()
	open := registry[name]
	registryMu.RUnlock()
	if open == nil {
		known := "none; import a store package, e.g. _ \"github.com/sessionkit/sessions/stores/memory\""
		if names := Stores(); len(names) > 0 {
			known = strings.Join(names, ", ")
		}
		return nil, fmt.Errorf("%w: unknown store %q (registered: %s)", ErrConfig, name, known)
	}
	s, err := open()
	if err == nil && (s == nil || isNilPointer(s)) {
		// Refused here, before Open would call the Close of a nil store.
		return nil, fmt.Errorf("%w: the opener registered for store %q returned a nil store (%T); it must return a store or an error", ErrConfig, name, s)
	}
	return s, err
}
