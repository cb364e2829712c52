package sessions_test

import (
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// TestDeadTimeoutOptions: a timeout option that the rest of the options
// keep from ever taking effect is a configuration mistake, not a setting.
// An IdleTimeout longer than Lifetime (given, or its 12-hour default) never
// ends a session, since Lifetime ends every session first: the application
// asked for sessions that live while used and gets sessions cut off at
// Lifetime however active they are. A RotateGrace without RotateAfter
// grants a grace to rotations that never happen: the application believes
// IDs are rotated and none is. NewManager refuses both with an ErrConfig
// naming the option to fix. The default idle timeout over a Lifetime
// shorter than it promises nothing, and stays accepted.
func TestDeadTimeoutOptions(t *testing.T) {
	for _, tc := range []struct {
		name  string
		opts  sessions.Options
		field string
		// run shows what the accepted options did to a session read every
		// 20 minutes for up to span, and says so as a failure.
		span time.Duration
		run  func(t *testing.T, after time.Duration, lost bool, rotations int)
	}{
		{
			name:  "IdleTimeout longer than Lifetime",
			opts:  sessions.Options{IdleTimeout: 24 * time.Hour, Lifetime: 6 * time.Hour},
			field: "IdleTimeout",
			span:  8 * time.Hour,
			run: func(t *testing.T, after time.Duration, lost bool, _ int) {
				if lost {
					t.Errorf("NewManager accepted IdleTimeout 24h with Lifetime 6h; a session read every 20 minutes was gone after %v", after)
				}
			},
		},
		{
			name:  "IdleTimeout longer than the default Lifetime",
			opts:  sessions.Options{IdleTimeout: 24 * time.Hour},
			field: "IdleTimeout",
			span:  14 * time.Hour,
			run: func(t *testing.T, after time.Duration, lost bool, _ int) {
				if lost {
					t.Errorf("NewManager accepted IdleTimeout 24h with Lifetime left at its 12h default; a session read every 20 minutes was gone after %v", after)
				}
			},
		},
		{
			// The default idle timeout over a short Lifetime promises
			// nothing, and is accepted.
			name: "short Lifetime, default IdleTimeout",
			opts: sessions.Options{Lifetime: 10 * time.Minute},
			span: time.Hour,
			run: func(t *testing.T, after time.Duration, lost bool, _ int) {
				if !lost || after != 20*time.Minute {
					t.Errorf("Lifetime 10m: a session read every 20 minutes was lost=%v after %v; want it gone at the first read after 10m", lost, after)
				}
			},
		},
		{
			name:  "RotateGrace without RotateAfter",
			opts:  sessions.Options{RotateGrace: 10 * time.Second},
			field: "RotateGrace",
			span:  8 * time.Hour,
			run: func(t *testing.T, after time.Duration, _ bool, rotations int) {
				t.Errorf("NewManager accepted RotateGrace 10s without RotateAfter; a session read every 20 minutes for %v had its ID rotated %d times", after, rotations)
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := sessions.NewManager(newMemoryStore(t), tc.opts)
			if tc.field == "" && err != nil {
				t.Fatalf("NewManager: %v; want these options accepted", err)
			}
			if refused(t, err, tc.field) {
				return
			}
			m, _, clock := newClockedManager(t, tc.opts)
			id := seedSession(t, m)
			var after time.Duration
			rotations, lost := 0, false
			for after < tc.span && !lost {
				clock.Add(int64(20 * time.Minute))
				after += 20 * time.Minute
				var got string
				resp := do(t, m, id, func(s *sessions.Session) { got = s.GetString("name") })
				lost = got != "kataras"
				if cs := resp.Cookies(); !lost && len(cs) == 1 && cs[0].Value != "" && cs[0].Value != id {
					rotations++
					id = cs[0].Value
				}
			}
			tc.run(t, after, lost, rotations)
		})
	}
}
