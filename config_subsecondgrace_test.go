package sessions_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// TestSubSecondGraceAndWindow: time.Duration counts nanoseconds, so
// RotateGrace: 30 or Guessing.Window: 60 (meant as seconds) compiles, as
// IdleTimeout: 30 does. A 30 ns grace ends before any request still
// carrying the replaced ID arrives, so rotation logs those requests out;
// a 60 ns window ends before the next unknown ID arrives, so guessing is
// never detected. NewManager refuses both under a second, as it refuses
// the other timeouts, saying what to write instead.
func TestSubSecondGraceAndWindow(t *testing.T) {
	for _, tc := range []struct {
		name  string
		opts  sessions.Options
		field string
		// run shows what the accepted options do, and says so as a failure.
		run func(t *testing.T, opts sessions.Options)
	}{
		{
			name:  "RotateGrace 30ns",
			opts:  sessions.Options{RotateAfter: 10 * time.Minute, RotateGrace: 30},
			field: "RotateGrace",
			run: func(t *testing.T, opts sessions.Options) {
				m, _, clock := newClockedManager(t, opts)
				a := seedSession(t, m)
				clock.Add(int64(10*time.Minute + time.Second))
				cs := do(t, m, a, func(s *sessions.Session) { s.Get("name") }).Cookies()
				if len(cs) != 1 || cs[0].Value == "" || cs[0].Value == a {
					t.Fatalf("no rotation: %v", cs)
				}
				clock.Add(int64(100 * time.Millisecond))
				var got string
				do(t, m, a, func(s *sessions.Session) { got = s.GetString("name") })
				t.Errorf("NewManager accepted RotateGrace 30ns; a request in flight with the replaced ID, 100 ms after the rotation, read %q (want the session's kataras, or the option refused)", got)
			},
		},
		{
			name:  "Guessing.Window 60ns",
			opts:  sessions.Options{Guessing: sessions.GuessingOptions{Threshold: 3, Window: 60}},
			field: "Window",
			run: func(t *testing.T, opts sessions.Options) {
				var guessing atomic.Int32
				opts.OnEvent = func(_ context.Context, e sessions.Event) {
					if e.Kind == sessions.EventGuessing {
						guessing.Add(1)
					}
				}
				m, store, clock := newClockedManager(t, opts)
				for range 10 {
					id := seedSession(t, m)
					if err := store.Delete(context.Background(), sessions.KeyOf(id)); err != nil {
						t.Fatal(err)
					}
					clock.Add(int64(time.Millisecond))
					do(t, m, id, func(s *sessions.Session) { s.Get("name") })
				}
				t.Errorf("NewManager accepted Guessing.Window 60ns; 10 different unknown IDs from one client within 10 ms (threshold 3) raised %d guessing events", guessing.Load())
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := sessions.NewManager(newMemoryStore(t), tc.opts)
			if refused(t, err, tc.field) {
				return
			}
			tc.run(t, tc.opts)
		})
	}
}
