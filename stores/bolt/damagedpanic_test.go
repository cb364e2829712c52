package bolt

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/storetest"
)

// TestPanicInTransactionMarksDamaged: a panic inside a bbolt transaction
// (bbolt's way of reporting a damaged page) returns an error saying the file
// is damaged, and from then on every call returns that error at once,
// without entering bbolt, whose locks the panic may have left held. The
// panic is injected directly, so a store that forgets the damage fails here
// with a message rather than by hanging on bbolt's locks.
func TestPanicInTransactionMarksDamaged(t *testing.T) {
	for _, c := range []struct {
		name string
		txn  func(s *Store, ctx context.Context, fn func(*txn) error) error
	}{
		{"read transaction", (*Store).view},
		{"write transaction", (*Store).update},
	} {
		t.Run(c.name, func(t *testing.T) {
			// openDamaged, not openTest: Close returns the damage error.
			s := openDamaged(t, filepath.Join(t.TempDir(), "sessions.db"), nil)
			key := storetest.NewKey(t)
			if err := s.Create(t.Context(), key, storetest.NewRecord(time.Hour)); err != nil {
				t.Fatal(err)
			}
			err := c.txn(s, t.Context(), func(*txn) error { panic("injected page fault") })
			wantDamaged(t, "the panicking transaction", err)
			if err == nil || !strings.Contains(err.Error(), "injected page fault") {
				t.Errorf("error of the panicking transaction = %v, want it to name the panic's value", err)
			}

			d := &sessions.Delta{Set: []sessions.Field{{Key: "x", Value: 1}}}
			for _, call := range []struct {
				name string
				do   func(ctx context.Context) error
			}{
				{"Load", func(ctx context.Context) error { _, _, err := s.Load(ctx, key); return err }},
				{"Create", func(ctx context.Context) error {
					return s.Create(ctx, storetest.NewKey(t), storetest.NewRecord(time.Hour))
				}},
				{"Commit", func(ctx context.Context) error { return s.Commit(ctx, key, d) }},
				{"Delete", func(ctx context.Context) error { return s.Delete(ctx, key) }},
				{"UserSessions", func(ctx context.Context) error { _, err := s.UserSessions(ctx, "u"); return err }},
				{"Cleanup", func(ctx context.Context) error { _, err := s.Cleanup(ctx); return err }},
			} {
				ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
				done := make(chan error, 1)
				go func() { done <- call.do(ctx) }()
				select {
				case err := <-done:
					if errors.Is(err, context.DeadlineExceeded) {
						t.Errorf("%s after the panic: %v, want the damage error at once", call.name, err)
					}
					wantDamaged(t, call.name+" after the panic", err)
				case <-time.After(5 * time.Second):
					t.Errorf("%s after the panic still running after 5s, past its 2s context, want the damage error at once", call.name)
				}
				cancel()
			}
			wantCloseDamaged(t, s)
		})
	}
}
