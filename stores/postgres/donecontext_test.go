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
		calls := append(storeCalls(s, key, other),
			storeCall{"Load of a non-key", func(ctx context.Context) error { _, _, err := s.Load(ctx, "not-a-key"); return err }},
			storeCall{"Migrate", func(ctx context.Context) error { return s.Migrate(ctx) }})
		for _, c := range calls {
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
