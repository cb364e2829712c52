package sessions_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestDefaultErrorHandlerStatus checks the status DefaultErrorHandler gives
// each kind of session failure, and that it shows the client no details.
func TestDefaultErrorHandlerStatus(t *testing.T) {
	cases := []struct {
		err  error
		want int
	}{
		{fmt.Errorf("redis: dial: %w", sessions.ErrStoreUnavailable), http.StatusServiceUnavailable},
		{fmt.Errorf("load: %w", context.DeadlineExceeded), http.StatusServiceUnavailable},
		{context.Canceled, http.StatusServiceUnavailable},
		{fmt.Errorf("commit: 300000 bytes: %w", sessions.ErrTooLarge), http.StatusRequestEntityTooLarge},
		{fmt.Errorf("load: %w", sessions.ErrCorrupt), http.StatusInternalServerError},
		{errors.New("secret detail"), http.StatusInternalServerError},
	}
	for _, tc := range cases {
		t.Run(tc.err.Error(), func(t *testing.T) {
			w := httptest.NewRecorder()
			sessions.DefaultErrorHandler(w, httptest.NewRequest("GET", "/", nil), tc.err)
			if w.Code != tc.want {
				t.Errorf("status %d, want %d", w.Code, tc.want)
			}
			if got := w.Header().Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control %q, want no-store", got)
			}
			if body := w.Body.String(); strings.TrimSpace(body) != http.StatusText(tc.want) {
				t.Errorf("body %q, want only the status text", body)
			}
		})
	}
}

// TestTooLargeAnswered413ByDefault checks that under Handler, with no
// ErrorHandler set, a request that would take its session over MaxSize is
// answered 413, and its values are not stored.
func TestTooLargeAnswered413ByDefault(t *testing.T) {
	m, err := sessions.NewManager(newMemoryStore(t), sessions.Options{MaxSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.Start(w, r).Set("k", strings.Repeat("v", 200))
		w.Write([]byte("stored"))
	}))
	resp := serveCookie(h, "https://example.com/", nil).Result()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("status %d, want 413", resp.StatusCode)
	}
	if len(resp.Cookies()) != 0 {
		t.Errorf("a refused new session issued cookies %v", resp.Cookies())
	}
}

// TestTooLargeIsNoStoreError checks that a change refused for the session's
// size is reported as EventTooLarge, logged as a warning, and not as a store
// error (no store call failed; store-error alerts must not fire on big
// forms).
func TestTooLargeIsNoStoreError(t *testing.T) {
	var logs strings.Builder
	var kinds []sessions.EventKind
	m, err := sessions.NewManager(newMemoryStore(t), sessions.Options{
		MaxSize: 100,
		Logger:  slog.New(slog.NewTextHandler(&logs, nil)),
		OnEvent: func(_ context.Context, e sessions.Event) { kinds = append(kinds, e.Kind) },
	})
	if err != nil {
		t.Fatal(err)
	}
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.Start(w, r).Set("k", strings.Repeat("v", 200))
	}))
	serveCookie(h, "https://example.com/", nil)
	if !slices.Contains(kinds, sessions.EventTooLarge) || slices.Contains(kinds, sessions.EventStoreError) {
		t.Errorf("events %v, want too-large and no store-error", kinds)
	}
	if !strings.Contains(logs.String(), "level=WARN msg=\"sessions: too-large\"") || strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("log %q, want one too-large warning and no error", logs.String())
	}
}
