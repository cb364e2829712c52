package storetest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// RequireClosedErrors checks what a closed store answers: s must have been
// closed after storing a record under key. Every method of sessions.Store,
// and of sessions.UserIndex and sessions.Counter where s has them, and each
// of extra, must fail with an error that wraps sessions.ErrStoreUnavailable
// (the manager answers 503) and whose text names each of names (what closed
// the store, what makes a new one) without promising that requests resume
// when the store returns, as ErrStoreUnavailable's own text does: a closed
// store never does.
func RequireClosedErrors(t *testing.T, s sessions.Store, key string, names []string, extra map[string]func(context.Context) error) {
	t.Helper()
	ctx := context.Background()
	other := NewKey(t)
	d := &sessions.Delta{Set: []sessions.Field{{Key: "k", Value: "v"}}}
	calls := map[string]func(context.Context) error{
		"Load":      func(ctx context.Context) error { _, _, err := s.Load(ctx, key); return err },
		"Create":    func(ctx context.Context) error { return s.Create(ctx, other, NewRecord(time.Hour)) },
		"Commit":    func(ctx context.Context) error { return s.Commit(ctx, key, d) },
		"Increment": func(ctx context.Context) error { _, err := s.Increment(ctx, key, "n", 1); return err },
		"Rename":    func(ctx context.Context) error { return s.Rename(ctx, key, other, time.Second) },
		"Delete":    func(ctx context.Context) error { return s.Delete(ctx, key) },
	}
	if ux, ok := s.(sessions.UserIndex); ok {
		calls["UserSessions"] = func(ctx context.Context) error { _, err := ux.UserSessions(ctx, "alice"); return err }
		calls["DeleteUserSessions"] = func(ctx context.Context) error { _, err := ux.DeleteUserSessions(ctx, "alice", ""); return err }
	}
	if c, ok := s.(sessions.Counter); ok {
		calls["Count"] = func(ctx context.Context) error { _, err := c.Count(ctx); return err }
	}
	for name, call := range extra {
		calls[name] = call
	}
	for method, call := range calls {
		err := call(ctx)
		if !errors.Is(err, sessions.ErrStoreUnavailable) {
			t.Errorf("%s after Close: %v, want an error wrapping ErrStoreUnavailable", method, err)
			continue
		}
		msg := err.Error()
		for _, bad := range []string{"resume", "network"} {
			if strings.Contains(msg, bad) {
				t.Errorf("%s after Close: %q says %q, which a closed store never does", method, msg, bad)
			}
		}
		for _, want := range names {
			if !strings.Contains(msg, want) {
				t.Errorf("%s after Close: %q does not name %q (what closed it, what to do)", method, msg, want)
			}
		}
	}
}
