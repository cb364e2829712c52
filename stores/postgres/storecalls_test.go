package postgres

import (
	"context"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/storetest"
)

// storeCall is one call of a Store method, for tests that make every call
// under the same condition (a cancelled context, a locked table).
type storeCall struct {
	method string
	call   func(ctx context.Context) error
}

// storeCalls returns a call of each method that sends statements: Load,
// Commit, Increment, Rename and Delete on key, which must hold a live
// record, Create and Rename onto other, which must be free, and the user
// index, Count and Cleanup.
func storeCalls(s *Store, key, other string) []storeCall {
	d := &sessions.Delta{Set: []sessions.Field{{Key: "k", Value: "v"}}}
	return []storeCall{
		{"Load", func(ctx context.Context) error { _, _, err := s.Load(ctx, key); return err }},
		{"Create", func(ctx context.Context) error { return s.Create(ctx, other, storetest.NewRecord(time.Hour)) }},
		{"Commit", func(ctx context.Context) error { return s.Commit(ctx, key, d) }},
		{"Increment", func(ctx context.Context) error { _, err := s.Increment(ctx, key, "n", 1); return err }},
		{"Rename", func(ctx context.Context) error { return s.Rename(ctx, key, other, time.Second) }},
		{"Delete", func(ctx context.Context) error { return s.Delete(ctx, key) }},
		{"UserSessions", func(ctx context.Context) error { _, err := s.UserSessions(ctx, "alice"); return err }},
		{"DeleteUserSessions", func(ctx context.Context) error { _, err := s.DeleteUserSessions(ctx, "alice", ""); return err }},
		{"Count", func(ctx context.Context) error { _, err := s.Count(ctx); return err }},
		{"Cleanup", func(ctx context.Context) error { _, err := s.Cleanup(ctx); return err }},
	}
}
