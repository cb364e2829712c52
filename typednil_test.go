package sessions_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
)

// TestTypedNilStoreOrRand: a nil pointer in the Store or Rand interface
// (a *memory.Store or a *bytes.Reader never assigned) is not a nil
// interface, so it passed NewManager and panicked on the first request.
// NewManager refuses it with ErrConfig naming the option, and Open does
// so for a registered opener that returns one, without calling its Close.
func TestTypedNilStoreOrRand(t *testing.T) {
	sessions.Register("typed-nil-store-test", func() (sessions.Store, error) { return (*memory.Store)(nil), nil })
	for _, tc := range []struct {
		name string
		open func() (*sessions.Manager, error)
		want string // in the error
	}{
		{"Store *memory.Store", func() (*sessions.Manager, error) {
			return sessions.NewManager((*memory.Store)(nil), sessions.Options{})
		}, "store"},
		{"Store *countingStore", func() (*sessions.Manager, error) {
			return sessions.NewManager((*countingStore)(nil), sessions.Options{})
		}, "store"},
		{"Rand *bytes.Reader", func() (*sessions.Manager, error) {
			return sessions.NewManager(newMemoryStore(t), sessions.Options{Rand: (*bytes.Reader)(nil)})
		}, "Options.Rand"},
		{"Open of a registered opener", func() (*sessions.Manager, error) {
			return sessions.Open("typed-nil-store-test", sessions.Options{})
		}, "store"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var (
				m   *sessions.Manager
				err error
			)
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Fatalf("NewManager panicked: %v", p)
					}
				}()
				m, err = tc.open()
			}()
			if err != nil {
				if !errors.Is(err, sessions.ErrConfig) || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("error %v; want an ErrConfig naming %q", err, tc.want)
				}
				return
			}
			defer func() {
				if p := recover(); p != nil {
					t.Errorf("NewManager accepted it, and the first request panicked: %v", p)
				}
			}()
			seedSession(t, m)
			t.Errorf("NewManager accepted it, and the first request did not panic")
		})
	}
}
