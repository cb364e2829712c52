package sessions_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
)

// twoStepStore hides the memory store's RenameCommit, so a rotation is a
// Rename and then a Commit recording the new Renewed time.
type twoStepStore struct{ sessions.Store }

// TestRotateNotAgainThroughAlias checks that a session reached through a
// grace alias is not rotated again, although its record may still show the
// old Renewed time (a parallel request renamed it and has not yet written
// its Commit): rotating it again would chain aliases. The request reads the
// session and gets no new cookie.
func TestRotateNotAgainThroughAlias(t *testing.T) {
	const after = 10 * time.Minute
	clock := new(atomic.Int64)
	clock.Store(time.Unix(1_800_000_000, 0).UnixNano())
	nowFn := func() time.Time { return time.Unix(0, clock.Load()) }
	mem := memory.New(memory.Options{Now: nowFn})
	t.Cleanup(func() { mem.Close() })
	var renewed atomic.Int32
	m, err := sessions.NewManager(twoStepStore{mem}, sessions.Options{
		Now: nowFn, RotateAfter: after, RotateGrace: time.Minute, IdleTimeout: time.Hour, Lifetime: time.Hour,
		OnEvent: func(_ context.Context, e sessions.Event) {
			if e.Kind == sessions.EventRenewed {
				renewed.Add(1)
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	id := seedSession(t, m)
	clock.Add(int64(after))

	// The first step of a parallel request's rotation: the session moves to
	// a new key, the old one is its grace alias, Renewed is still the old.
	var b [32]byte
	_, _ = rand.Read(b[:])
	newKey := sessions.KeyOf(base64.RawURLEncoding.EncodeToString(b[:]))
	if err := mem.Rename(context.Background(), sessions.KeyOf(id), newKey, time.Minute); err != nil {
		t.Fatal(err)
	}

	var got, handle string
	res := do(t, m, id, func(s *sessions.Session) {
		got, handle = s.GetString("name"), s.ID()
	})
	if got != "kataras" || handle != newKey {
		t.Fatalf("through the alias: read %q under %q, want kataras under the renamed key %q", got, handle, newKey)
	}
	if cs := res.Cookies(); len(cs) != 0 || renewed.Load() != 0 {
		t.Errorf("a session reached through its grace alias was rotated again: cookies %v, %d EventRenewed; want none", cs, renewed.Load())
	}
}
