package postgres

import (
	"testing"
	"time"

	"github.com/sessionkit/sessions/storetest"
)

// A rename alias whose grace has passed no longer holds its old key, even
// before the cleaner deletes it: a Create under that key, and a Rename onto
// it, succeed as they would on a key that was never used.
func TestExpiredAliasFreesKey(t *testing.T) {
	s := newTestStore(t, Options{CleanupInterval: -1})
	for _, c := range []struct {
		name  string
		reuse func(t *testing.T, key string) error
	}{
		{"Create", func(t *testing.T, key string) error {
			return s.Create(t.Context(), key, storetest.NewRecord(time.Hour))
		}},
		{"Rename onto", func(t *testing.T, key string) error {
			from := storetest.NewKey(t)
			mustCreateRec(t, s, from, storetest.NewRecord(time.Hour))
			return s.Rename(t.Context(), from, key, 0)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			old, renamed := storetest.NewKey(t), storetest.NewKey(t)
			mustCreateRec(t, s, old, storetest.NewRecord(time.Hour))
			if err := s.Rename(t.Context(), old, renamed, 20*time.Millisecond); err != nil {
				t.Fatalf("Rename: %v", err)
			}
			time.Sleep(50 * time.Millisecond)
			if !rowExists(t, s, old) {
				t.Fatal("the expired alias is gone already; the test needs it in the table")
			}
			if err := c.reuse(t, old); err != nil {
				t.Fatalf("%s under a key whose alias expired: %v; want success", c.name, err)
			}
			if _, found, err := s.Load(t.Context(), old); err != nil || !found {
				t.Errorf("Load(%s…) after %s = found %v, %v; want the new session", old[:8], c.name, found, err)
			}
		})
	}
}
