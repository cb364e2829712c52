package sessions_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
)

// TestBindUnboundSessionKept checks that a session stored without a
// binding (created before Options.Bind was set) is no mismatch: under either
// BindPolicy it loads, keeps its values and emits no EventBindMismatch.
func TestBindUnboundSessionKept(t *testing.T) {
	for _, policy := range []sessions.BindPolicy{sessions.BindLog, sessions.BindDestroy} {
		store := memory.New(memory.Options{})
		t.Cleanup(func() { store.Close() })
		before, err := sessions.NewManager(store, sessions.Options{})
		if err != nil {
			t.Fatal(err)
		}
		id := seedSession(t, before)

		var mismatches atomic.Int32
		m, err := sessions.NewManager(store, sessions.Options{
			Bind:       sessions.BindUserAgent,
			BindPolicy: policy,
			OnEvent: func(_ context.Context, e sessions.Event) {
				if e.Kind == sessions.EventBindMismatch {
					mismatches.Add(1)
				}
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("User-Agent", "Mozilla/5.0 Firefox/133.0")
		r.AddCookie(&http.Cookie{Name: m.CookieName(), Value: id})
		var got string
		m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			got = m.Start(w, r).GetString("name")
		})).ServeHTTP(httptest.NewRecorder(), r)
		if got != "kataras" || mismatches.Load() != 0 {
			t.Errorf("policy %d: a session stored without a binding read %q with %d EventBindMismatch; want kataras and none", policy, got, mismatches.Load())
		}
	}
}
