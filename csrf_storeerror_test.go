package sessions_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
)

// downLoadStore is a store whose Load fails while down is set.
type downLoadStore struct {
	sessions.Store
	mu   sync.Mutex
	down bool
}

func (d *downLoadStore) Load(ctx context.Context, key string) (*sessions.Record, bool, error) {
	d.mu.Lock()
	down := d.down
	d.mu.Unlock()
	if down {
		return nil, false, fmt.Errorf("%w: connection refused", sessions.ErrStoreUnavailable)
	}
	return d.Store.Load(ctx, key)
}

// TestUnsafeRequestDuringStoreOutageIsNoCSRFFailure checks that an unsafe
// request whose session cannot be loaded is answered as a store failure
// (the error handler, a store-error event) and is not also reported as a
// CSRF failure: EventCSRFFail is "an unsafe request failed the CSRF check",
// and SECURITY.md has operators alert on bursts of it, which an outage
// would otherwise raise on every POST.
func TestUnsafeRequestDuringStoreOutageIsNoCSRFFailure(t *testing.T) {
	mem := memory.New(memory.Options{})
	t.Cleanup(func() { mem.Close() })
	store := &downLoadStore{Store: mem}
	var mu sync.Mutex
	var kinds []sessions.EventKind
	m, err := sessions.NewManager(store, sessions.Options{Logger: slog.New(slog.DiscardHandler), OnEvent: func(_ context.Context, e sessions.Event) {
		mu.Lock()
		kinds = append(kinds, e.Kind)
		mu.Unlock()
	}})
	if err != nil {
		t.Fatal(err)
	}
	var tok string
	id := ""
	for _, c := range do(t, m, "", func(s *sessions.Session) { tok = s.CSRFToken() }).Cookies() {
		id = c.Value
	}
	mu.Lock()
	kinds = nil
	mu.Unlock()

	store.mu.Lock()
	store.down = true
	store.mu.Unlock()
	r := httptest.NewRequest(http.MethodPost, "/action", nil)
	r.AddCookie(&http.Cookie{Name: m.CookieName(), Value: id})
	r.Header.Set("X-CSRF-Token", tok)
	w := httptest.NewRecorder()
	m.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})).ServeHTTP(w, r)

	if w.Code != http.StatusServiceUnavailable {
		t.Errorf("status %d, want 503", w.Code)
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Contains(kinds, sessions.EventStoreError) {
		t.Errorf("events %v: no store-error", kinds)
	}
	if slices.Contains(kinds, sessions.EventCSRFFail) {
		t.Errorf("events %v: a store outage was reported as a CSRF failure", kinds)
	}
}
