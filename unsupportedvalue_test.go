package sessions_test

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestUnsupportedValueIsNoStoreError checks that a value the codec refuses
// (ErrUnsupportedValue), stored in a session whose store encodes values or
// under Options.MaxSize, which encodes them to count them, is reported as
// the handler's mistake it is: the error wraps ErrUnsupportedValue, the
// event is EventUnsupportedValue, logged as a warning, never a store-error
// (no store call failed; store outage alerts must not fire on it), as a
// change refused for its size is an EventTooLarge. Without the middleware
// the changes written before the refused one stay stored.
func TestUnsupportedValueIsNoStoreError(t *testing.T) {
	stores := []struct {
		name    string
		store   func(t *testing.T) sessions.Store
		maxSize int
	}{
		{"memory with MaxSize", newMemoryStore, 1 << 10},
		{"cookie", newCookieStore, 0},
		{"cookie with MaxSize", newCookieStore, 1 << 10},
	}
	values := []struct {
		name  string
		value any
	}{
		{"func", func() {}},
		{"chan", make(chan int)},
		{"struct with a NaN", struct{ X float64 }{math.NaN()}},
	}
	for _, st := range stores {
		for _, v := range values {
			for _, middleware := range []bool{true, false} {
				name := st.name + "/" + v.name + "/write-through"
				if middleware {
					name = st.name + "/" + v.name + "/Handler"
				}
				t.Run(name, func(t *testing.T) {
					var (
						mu      sync.Mutex
						logs    strings.Builder
						events  []sessions.Event
						handled error
					)
					m, err := sessions.NewManager(st.store(t), sessions.Options{
						MaxSize: st.maxSize,
						Logger:  slog.New(slog.NewTextHandler(&logs, nil)),
						OnEvent: func(_ context.Context, e sessions.Event) {
							mu.Lock()
							events = append(events, e)
							mu.Unlock()
						},
						ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
							handled = err
							sessions.DefaultErrorHandler(w, r, err)
						},
					})
					if err != nil {
						t.Fatal(err)
					}
					var got error
					var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
						s := m.Start(w, r)
						s.Set("kept", 1)
						s.Set("bad", v.value)
						got = s.Err()
					})
					if middleware {
						h = m.Handler(h)
					}
					res := serveCookie(h, "https://example.com/", nil).Result()
					if middleware {
						got = handled
						if res.StatusCode != http.StatusInternalServerError {
							t.Errorf("status %d, want the error handler's 500", res.StatusCode)
						}
					}
					if !errors.Is(got, sessions.ErrUnsupportedValue) {
						t.Errorf("error %v, want one wrapping ErrUnsupportedValue", got)
					}
					var kinds []sessions.EventKind
					for _, e := range events {
						kinds = append(kinds, e.Kind)
					}
					if slices.Contains(kinds, sessions.EventStoreError) {
						t.Errorf("events %v include a store-error", kinds)
					}
					i := slices.Index(kinds, sessions.EventUnsupportedValue)
					if i < 0 || !errors.Is(events[i].Err, sessions.ErrUnsupportedValue) {
						t.Errorf("events %v, want an unsupported-value carrying ErrUnsupportedValue", kinds)
					}
					if l := logs.String(); strings.Contains(l, "level=ERROR") || !strings.Contains(l, `level=WARN msg="sessions: unsupported-value"`) {
						t.Errorf("log %q, want one unsupported-value warning and no error", l)
					}
					if middleware {
						if len(res.Cookies()) != 0 {
							t.Errorf("a refused commit set cookies %v", res.Cookies())
						}
						return
					}
					if cs := res.Cookies(); len(cs) != 1 {
						t.Errorf("cookies %v, want the one of the session storing kept", cs)
					} else {
						var all map[string]any
						serveCookie(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
							all = m.Start(w, r).GetAll()
						})), "https://example.com/", cs[0])
						if !equalValues(all, map[string]any{"kept": 1}) {
							t.Errorf("stored values %v, want kept, written before the refused value", all)
						}
					}
				})
			}
		}
	}
}
