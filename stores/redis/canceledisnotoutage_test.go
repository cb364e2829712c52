package redis

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/storetest"
)

// cancelHook cancels the request's context when a command is sent (a
// client hanging up mid-request) and fails the command with the context's
// error, as go-redis does when the context ends while it waits for a reply.
type cancelHook struct{ cancel context.CancelFunc }

func (cancelHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h cancelHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.cancel()
		<-ctx.Done()
		err := ctx.Err()
		cmd.SetErr(err)
		return err
	}
}

func (cancelHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

// TestCanceledIsNoOutage checks that an operation whose context is canceled
// while its command is under way fails with context.Canceled and not with
// sessions.ErrStoreUnavailable: a request its client gave up on is no
// outage, and must not be answered or counted as one (503).
func TestCanceledIsNoOutage(t *testing.T) {
	t.Parallel()
	base := sharedClient(t)
	s := newTestStore(t, base, Options{})
	key := storetest.NewKey(t)
	if err := s.Create(t.Context(), key, storetest.NewRecord(time.Hour, "x", 1)); err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(testClientOptions(sharedAddr()))
	t.Cleanup(func() { c.Close() })
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	c.AddHook(cancelHook{cancel})
	hooked, err := NewWithOptions(c, Options{Prefix: s.prefix})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = hooked.Load(ctx, key)
	if !errors.Is(err, context.Canceled) || errors.Is(err, sessions.ErrStoreUnavailable) {
		t.Errorf("Load canceled under way: %v, want context.Canceled and not ErrStoreUnavailable", err)
	}
}
