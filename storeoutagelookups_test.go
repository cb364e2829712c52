package sessions_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
)

// downStore is a store whose every Load fails, counting the calls.
type downStore struct {
	sessions.Store
	loads atomic.Int32
}

func (s *downStore) Load(context.Context, string) (*sessions.Record, bool, error) {
	s.loads.Add(1)
	return nil, false, errors.New("connection refused")
}

// TestStoreOutageEndsCookieLookups checks that a failed store lookup ends
// the reading of the session cookies: a request carrying several
// well-formed values of the session's name costs one failing store call,
// not one per value, and the session reports the failure.
func TestStoreOutageEndsCookieLookups(t *testing.T) {
	mem := memory.New(memory.Options{})
	t.Cleanup(func() { mem.Close() })
	store := &downStore{Store: mem}
	m, err := sessions.NewManager(store, sessions.Options{CookieName: "sid", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{1, 2, 4} {
		var pairs []string
		for range n {
			var b [32]byte
			_, _ = rand.Read(b[:])
			pairs = append(pairs, "sid="+base64.RawURLEncoding.EncodeToString(b[:]))
		}
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Cookie", strings.Join(pairs, "; "))
		before := store.loads.Load()
		s := m.Start(httptest.NewRecorder(), r)
		if s.Get("k"); s.Err() == nil {
			t.Errorf("%d session cookies while the store is down: Err = nil, want the store's error", n)
		}
		if got := store.loads.Load() - before; got != 1 {
			t.Errorf("%d session cookies while the store is down: %d failing lookups, want 1", n, got)
		}
	}
}
