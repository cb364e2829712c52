package sessions_test

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
)

// userSessionCount is how many sessions m lists for user.
func userSessionCount(t *testing.T, m *sessions.Manager, user string) int {
	t.Helper()
	l, err := m.UserSessions(context.Background(), user)
	if err != nil {
		t.Fatal(err)
	}
	return len(l)
}

// TestUnstoredLoginEvictsNobody checks that with MaxPerUser and
// EvictOldest a login that is not stored (refused over MaxSize, or
// refused a new session by guessing detection) ends none of the user's
// other sessions, and that a login guessing detection refuses is
// reported, not answered as if it were stored.
func TestUnstoredLoginEvictsNobody(t *testing.T) {
	t.Run("refused over MaxSize", func(t *testing.T) {
		var ev eventKinds
		m, _, _ := newClockedManager(t, sessions.Options{MaxPerUser: 1, MaxSize: 64, OnEvent: ev.on})
		loginAs(t, m, "alice")
		ev.reset()
		res := do(t, m, "", func(s *sessions.Session) {
			s.Login("alice")
			s.Set("big", strings.Repeat("x", 200))
		})
		if n := userSessionCount(t, m, "alice"); n != 1 || ev.count(sessions.EventDestroyed) != 0 {
			t.Errorf("status %d, events %v: alice has %d sessions, want 1 and no EventDestroyed: the refused login evicted her other session",
				res.StatusCode, ev.kinds, n)
		}
	})
	t.Run("refused by guessing detection", func(t *testing.T) {
		var ev eventKinds
		m, store, _ := newClockedManager(t, sessions.Options{MaxPerUser: 1, OnEvent: ev.on,
			Guessing: sessions.GuessingOptions{Threshold: 2, BlockCreation: true}})
		loginAs(t, m, "alice")
		for range 2 { // two unknown IDs from the test client's address
			id := seedSession(t, m)
			store.Delete(context.Background(), sessions.KeyOf(id))
			do(t, m, id, func(s *sessions.Session) { s.Get("x") })
		}
		ev.reset()
		res := do(t, m, "", func(s *sessions.Session) { s.Login("alice") })
		if res.StatusCode != http.StatusTooManyRequests || len(res.Cookies()) != 0 {
			t.Errorf("status %d, %d cookies; want 429 and none: the login was not stored", res.StatusCode, len(res.Cookies()))
		}
		if n := userSessionCount(t, m, "alice"); n != 1 || ev.count(sessions.EventDestroyed) != 0 {
			t.Errorf("events %v: alice has %d sessions, want 1 and no EventDestroyed", ev.kinds, n)
		}
		if ev.count(sessions.EventGuessing) != 1 || ev.count(sessions.EventStoreError) != 0 {
			t.Errorf("events %v; want the refused login reported as guessing, not as a store error", ev.kinds)
		}
	})
}

// TestReloginAfterRotationKeepsSession checks a login on a session that a
// parallel request rotated (Options.RotateAfter) after this request
// loaded it, as a step-up re-authentication does: the session under its
// rotated key is this one, not another device, so the login neither ends
// it nor another of the user's sessions, nor is refused at the cap.
func TestReloginAfterRotationKeepsSession(t *testing.T) {
	for _, tc := range []struct {
		name   string
		policy sessions.LimitPolicy
		max    int
	}{
		{"EvictOldest, cap 1", sessions.EvictOldest, 1},
		{"EvictOldest, cap 2 with another device", sessions.EvictOldest, 2},
		{"LimitReject, cap 1", sessions.LimitReject, 1},
		{"LimitReject, cap 2 with another device", sessions.LimitReject, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ev eventKinds
			m, _, now := newClockedManager(t, sessions.Options{MaxPerUser: tc.max, LimitPolicy: tc.policy,
				RotateAfter: 2 * time.Minute, OnEvent: ev.on})
			if tc.max == 2 {
				loginAs(t, m, "alice") // another device
				now.Add(int64(time.Second))
			}
			this := loginAs(t, m, "alice")
			now.Add(int64(3 * time.Minute))
			ev.reset()
			var err error
			res := do(t, m, this, func(s *sessions.Session) {
				_ = s.User()                                               // loaded, as a POST's CSRF check does
				do(t, m, this, func(s *sessions.Session) { _ = s.User() }) // another tab: rotates
				err = s.Login("alice")
			})
			var next string
			for _, c := range res.Cookies() {
				next = c.Value
			}
			var user string
			if next != "" {
				do(t, m, next, func(s *sessions.Session) { user = s.User() })
			}
			if n := userSessionCount(t, m, "alice"); err != nil || user != "alice" || n != tc.max || ev.count(sessions.EventDestroyed) != 0 {
				t.Errorf("Login = %v, next request's user %q, alice has %d sessions (want %d), events %v", err, user, n, tc.max, ev.kinds)
			}
		})
	}
}

// deleteHookStore runs onDelete once, before the Delete of key.
type deleteHookStore struct {
	*memory.Store
	key      atomic.Pointer[string]
	onDelete func()
}

func (h *deleteHookStore) Delete(ctx context.Context, k string) error {
	if p := h.key.Load(); p != nil && *p == k && h.key.CompareAndSwap(p, nil) {
		h.onDelete()
	}
	return h.Store.Delete(ctx, k)
}

// TestEvictionFollowsRotation checks the session a login evicts at
// MaxPerUser when a rotation of it races the eviction: between the
// listing that chose it and its delete it moves to a new key, and it
// must end there too, or the user keeps MaxPerUser+1 sessions.
func TestEvictionFollowsRotation(t *testing.T) {
	now := new(atomic.Int64)
	now.Store(time.Unix(1_800_000_000, 0).UnixNano())
	clock := func() time.Time { return time.Unix(0, now.Load()) }
	mem := memory.New(memory.Options{Now: clock})
	t.Cleanup(func() { mem.Close() })
	st := &deleteHookStore{Store: mem}
	var ev eventKinds
	m, err := sessions.NewManager(st, sessions.Options{Now: clock, MaxPerUser: 1, OnEvent: ev.on,
		RotateAfter: 2 * time.Second, RotateGrace: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	old := loginAs(t, m, "alice")
	now.Add(int64(3 * time.Second)) // the old session is due for rotation
	key := sessions.KeyOf(old)
	st.onDelete = func() { do(t, m, old, func(s *sessions.Session) { _ = s.User() }) } // it rotates
	st.key.Store(&key)
	ev.reset()
	loginAs(t, m, "alice") // evicts the old session
	if st.key.Load() != nil {
		t.Fatal("setup: the eviction deleted no key the old session had")
	}
	if n := userSessionCount(t, m, "alice"); n != 1 {
		t.Errorf("alice has %d sessions, MaxPerUser 1; events %v", n, ev.kinds)
	}
	if _, found, err := mem.Load(context.Background(), key); found || err != nil {
		t.Errorf("the evicted session's old key still loads: %v, %v", found, err)
	}
}
