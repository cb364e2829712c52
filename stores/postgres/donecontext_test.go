package postgres

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/storetest"
)

// A call whose context is already done (cancelled, or past its deadline)
// sends nothing to the server and returns the context's error, whatever
// the key: not a result, and not sessions.ErrStoreUnavailable, which a
// statement cut off by the deadline would report.
func TestDoneContextSendsNothing(t *testing.T) {
	s := newTestStore(t, Options{CleanupInterval: -1})
	key, other := storetest.NewKey(t), storetest.NewKey(t)
	mustCreateRec(t, s, key, storetest.NewRecord(time.Hour))
	d := &sessions.Delta{Set: []sessions.Field{{Key: "k", Value: "v"}}}
	canceled, cancel := context.WithCancel(t.Context())
	cancel()
	expired, cancel2 := context.WithDeadline(t.Context(), time.Now().Add(-time.Second))
	defer cancel2()
	for _, ctx := range []struct {
		name string
		ctx  context.Context
		want error
	}{
		{"canceled", canceled, context.Canceled},
		{"deadline", expired, context.DeadlineExceeded},
	} {
		for _, c := range []struct {
			method string
			call   func(ctx context.Context) error
		}{
			{"Load", func(ctx context.Context) error { _, _, err := s.Load(ctx, key); return err }},
			{"Load of a non-key", func(ctx context.Context) error { _, _, err := s.Load(ctx, "not-a-key"); return err }},
			{"Create", func(ctx context.Context) error { return s.Create(ctx, other, storetest.NewRecord(time.Hour)) }},
			{"Commit", func(ctx context.Context) error { return s.Commit(ctx, key, d) }},
			{"Increment", func(ctx context.Context) error { _, err := s.Increment(ctx, key, "n", 1); return err }},
			{"Rename", func(ctx context.Context) error { return s.Rename(ctx, key, other, time.Second) }},
			{"Delete", func(ctx context.Context) error { return s.Delete(ctx, key) }},
			{"UserSessions", func(ctx context.Context) error { _, err := s.UserSessions(ctx, "alice"); return err }},
			{"DeleteUserSessions", func(ctx context.Context) error { _, err := s.DeleteUserSessions(ctx, "alice", ""); return err }},
			{"Count", func(ctx context.Context) error { _, err := s.Count(ctx); return err }},
			{"Cleanup", func(ctx context.Context) error { _, err := s.Cleanup(ctx); return err }},
			{"Migrate", func(ctx context.Context) error { return s.Migrate(ctx) }},
		} {
			t.Run(ctx.name+"/"+c.method, func(t *testing.T) {
				before := sent.Load()
				err := c.call(ctx.ctx)
				if !errors.Is(err, ctx.want) || errors.Is(err, sessions.ErrStoreUnavailable) {
					t.Errorf("%s with a %s context: %v; want %v, not ErrStoreUnavailable", c.method, ctx.name, err, ctx.want)
				}
				if n := sent.Load() - before; n != 0 {
					t.Errorf("%s with a %s context sent %d statements or batches, want 0", c.method, ctx.name, n)
				}
			})
		}
	}
}
