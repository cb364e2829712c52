package sessions_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// TestClientGoneIsNotAStoreOutage: a client that closes its connection
// while the session is committed (a mobile network dropping, a user
// closing the tab) cancels the request's context, and the store call fails
// with context.Canceled. The store is fine: logged at ERROR as a
// store-error, every such client would feed a store outage alert. It is a
// store-error event still (the write did not happen), logged as a warning;
// a store that fails on its own, or a deadline (a slow store), stays an
// ERROR.
func TestClientGoneIsNotAStoreOutage(t *testing.T) {
	for _, tc := range []struct {
		name      string
		cancel    bool          // the request's context is cancelled before the commit
		timeout   time.Duration // or it has this deadline, passed before the commit
		wantLevel string
	}{
		{name: "client gone", cancel: true, wantLevel: "WARN"},
		{name: "request deadline passed", timeout: time.Nanosecond, wantLevel: "ERROR"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			logger := slog.New(slog.NewTextHandler(&logs, nil))
			var kinds []string
			m, err := sessions.NewManager(newMemoryStore(t), sessions.Options{
				Logger:  logger,
				OnEvent: func(_ context.Context, e sessions.Event) { kinds = append(kinds, e.Kind.String()) },
			})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tc.timeout > 0 {
				ctx, cancel = context.WithTimeout(ctx, tc.timeout)
				defer cancel()
			}
			r := httptest.NewRequestWithContext(ctx, http.MethodGet, "/", nil)
			w := httptest.NewRecorder()
			m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				m.FromContext(r.Context()).Set("cart", 1)
				if tc.cancel {
					cancel()
				} else {
					<-r.Context().Done()
				}
				w.Write([]byte("ok"))
			})).ServeHTTP(w, r)
			if !strings.Contains(strings.Join(kinds, ","), "store-error") {
				t.Fatalf("events %v, want a store-error: the commit did not happen", kinds)
			}
			line := ""
			for l := range strings.Lines(logs.String()) {
				if strings.Contains(l, "store-error") {
					line = l
				}
			}
			if !strings.Contains(line, "level="+tc.wantLevel) {
				t.Errorf("store-error logged as %q, want level=%s", strings.TrimSpace(line), tc.wantLevel)
			}
		})
	}
}
