package memory_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
	"github.com/sessionkit/sessions/storetest"
)

// TestExpiryIsExclusive checks that a record is dead at the very instant of
// its Expires, as Meta.Expires documents and the other stores treat it
// (Expires <= now is expired): at that instant no operation serves or
// changes it, a sweep removes it, and the key is free for a new record.
func TestExpiryIsExclusive(t *testing.T) {
	base := time.Unix(1_800_000_000, 0)
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		op   func(s *memory.Store, k string) error
	}{
		{"Load", func(s *memory.Store, k string) error {
			if _, found, err := s.Load(ctx, k); err != nil || found {
				return errors.New("found")
			}
			return sessions.ErrNotFound
		}},
		{"Commit", func(s *memory.Store, k string) error {
			return s.Commit(ctx, k, &sessions.Delta{Set: []sessions.Field{{Key: "x", Value: 2}}})
		}},
		{"Increment", func(s *memory.Store, k string) error {
			_, err := s.Increment(ctx, k, "n", 1)
			return err
		}},
		{"Rename", func(s *memory.Store, k string) error {
			return s.Rename(ctx, k, storetest.NewKey(t), time.Minute)
		}},
		{"Cleanup", func(s *memory.Store, k string) error {
			// A sweep at that instant removes the record, as it is dead.
			if n := s.Cleanup(); n != 1 || s.Len() != 0 {
				return fmt.Errorf("Cleanup removed %d records and left Len() = %d, want 1 and 0", n, s.Len())
			}
			return sessions.ErrNotFound
		}},
		{"Create", func(s *memory.Store, k string) error {
			// Not found means the key is free: Create over it succeeds.
			if err := s.Create(ctx, k, &sessions.Record{Meta: sessions.Meta{Expires: base.Add(time.Hour).UnixNano()}}); err != nil {
				return err
			}
			return sessions.ErrNotFound
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var now atomic.Int64
			now.Store(base.UnixNano())
			s := memory.New(memory.Options{CleanupInterval: time.Hour, Now: func() time.Time { return time.Unix(0, now.Load()) }})
			defer s.Close()
			k := storetest.NewKey(t)
			expires := base.Add(time.Second).UnixNano()
			if err := s.Create(ctx, k, &sessions.Record{Meta: sessions.Meta{Expires: expires}}); err != nil {
				t.Fatal(err)
			}
			now.Store(expires - 1)
			if _, found, _ := s.Load(ctx, k); !found {
				t.Fatal("Load a nanosecond before Expires: not found, want found")
			}
			now.Store(expires)
			if err := tc.op(s, k); !errors.Is(err, sessions.ErrNotFound) {
				t.Fatalf("%s at the instant of Expires: err = %v, want the record treated as absent", tc.name, err)
			}
		})
	}
}

// TestGraceAliasEndsAtItsDeadline checks that a grace alias stops resolving
// at the very instant grace has passed since the Rename.
func TestGraceAliasEndsAtItsDeadline(t *testing.T) {
	base := time.Unix(1_800_000_000, 0)
	ctx := context.Background()
	var now atomic.Int64
	now.Store(base.UnixNano())
	s := memory.New(memory.Options{CleanupInterval: time.Hour, Now: func() time.Time { return time.Unix(0, now.Load()) }})
	defer s.Close()
	from, to := storetest.NewKey(t), storetest.NewKey(t)
	if err := s.Create(ctx, from, &sessions.Record{Meta: sessions.Meta{Expires: base.Add(time.Hour).UnixNano()}}); err != nil {
		t.Fatal(err)
	}
	const grace = 10 * time.Second
	if err := s.Rename(ctx, from, to, grace); err != nil {
		t.Fatal(err)
	}
	now.Store(base.Add(grace).UnixNano() - 1)
	if _, found, _ := s.Load(ctx, from); !found {
		t.Fatal("Load of the old key a nanosecond before the grace ends: not found, want found")
	}
	now.Store(base.Add(grace).UnixNano())
	if _, found, _ := s.Load(ctx, from); found {
		t.Fatal("Load of the old key when the grace has passed: found, want not found")
	}
	if err := s.Commit(ctx, from, &sessions.Delta{Set: []sessions.Field{{Key: "x", Value: 1}}}); !errors.Is(err, sessions.ErrNotFound) {
		t.Fatalf("Commit through the old key when the grace has passed: %v, want ErrNotFound", err)
	}
	if err := s.Create(ctx, from, &sessions.Record{Meta: sessions.Meta{Expires: base.Add(time.Hour).UnixNano()}}); err != nil {
		t.Fatalf("Create over an ended alias: %v, want nil", err)
	}
}
