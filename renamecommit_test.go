package sessions_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
)

// renameCommitStore is a countingStore that also counts renames and
// passes RenameCommit to the memory store, or answers it with fail.
type renameCommitStore struct {
	countingStore
	mem                   *memory.Store
	fail                  error
	renames, renameCommit atomic.Int32
}

func (c *renameCommitStore) Rename(ctx context.Context, oldKey, newKey string, grace time.Duration) error {
	c.renames.Add(1)
	return c.Store.Rename(ctx, oldKey, newKey, grace)
}

func (c *renameCommitStore) RenameCommit(ctx context.Context, oldKey, newKey string, grace time.Duration, d *sessions.Delta) error {
	c.renameCommit.Add(1)
	if c.fail != nil {
		return c.fail
	}
	return c.mem.RenameCommit(ctx, oldKey, newKey, grace, d)
}

// TestLoginRenameCommit checks that a login on a store implementing
// sessions.RenameCommitter is one RenameCommit, that a store answering
// errors.ErrUnsupported gets Rename and Commit instead, and that a failed
// RenameCommit leaves the session as it was.
func TestLoginRenameCommit(t *testing.T) {
	for _, tc := range []struct {
		name                            string
		fail                            error
		renameCommits, renames, commits int32
		status                          int
		loggedIn                        bool
	}{
		{name: "one step", renameCommits: 1, status: http.StatusOK, loggedIn: true},
		{name: "unsupported", fail: fmt.Errorf("two steps here: %w", errors.ErrUnsupported),
			renameCommits: 1, renames: 1, commits: 1, status: http.StatusOK, loggedIn: true},
		{name: "store down", fail: fmt.Errorf("gone: %w", sessions.ErrStoreUnavailable),
			renameCommits: 1, status: http.StatusServiceUnavailable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mem := memory.New(memory.Options{})
			t.Cleanup(func() { mem.Close() })
			store := &renameCommitStore{countingStore: countingStore{Store: mem}, mem: mem, fail: tc.fail}
			m, err := sessions.NewManager(store, sessions.Options{})
			if err != nil {
				t.Fatal(err)
			}
			id := seedSession(t, m)
			store.commits.Store(0)

			res := do(t, m, id, func(s *sessions.Session) {
				if err := s.Login("ann"); err != nil {
					t.Errorf("Login: %v", err)
				}
				s.Set("theme", "dark")
			})
			if res.StatusCode != tc.status {
				t.Fatalf("login answered %d, want %d", res.StatusCode, tc.status)
			}
			if got := [3]int32{store.renameCommit.Load(), store.renames.Load(), store.commits.Load()}; got != [3]int32{tc.renameCommits, tc.renames, tc.commits} {
				t.Errorf("store calls (RenameCommit, Rename, Commit) = %v, want %v", got, [3]int32{tc.renameCommits, tc.renames, tc.commits})
			}

			if !tc.loggedIn {
				// The old session is intact, under its old ID.
				do(t, m, id, func(s *sessions.Session) {
					if s.IsNew() || s.User() != "" || s.GetString("name") != "kataras" || s.Get("theme") != nil {
						t.Errorf("after a failed login: new %v, user %q, name %q, theme %v; want the session as it was",
							s.IsNew(), s.User(), s.GetString("name"), s.Get("theme"))
					}
				})
				return
			}
			cs := res.Cookies()
			if len(cs) != 1 || cs[0].Value == id {
				t.Fatalf("login cookies = %v, want one with a new ID", cs)
			}
			do(t, m, cs[0].Value, func(s *sessions.Session) {
				if s.IsNew() || s.User() != "ann" || s.GetString("theme") != "dark" {
					t.Errorf("after login: new %v, user %q, theme %q; want ann's session with theme dark", s.IsNew(), s.User(), s.GetString("theme"))
				}
			})
			do(t, m, id, func(s *sessions.Session) {
				if !s.IsNew() {
					t.Error("the pre-login ID still reaches a session")
				}
			})
		})
	}
}
