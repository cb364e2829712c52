package sessions_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// TestNewManagerNamesBadField checks that NewManager refuses each invalid
// option with an error wrapping ErrConfig that names the field to fix, as
// its doc comment promises, instead of accepting it (and, for a nil trusted
// proxy, panicking on the first event of a request).
func TestNewManagerNamesBadField(t *testing.T) {
	for _, tc := range []struct {
		name  string
		opts  sessions.Options
		field string
	}{
		{"negative IdleTimeout", sessions.Options{IdleTimeout: -time.Minute}, "IdleTimeout"},
		{"negative Lifetime", sessions.Options{Lifetime: -time.Minute}, "Lifetime"},
		{"negative TouchInterval", sessions.Options{TouchInterval: -time.Minute}, "TouchInterval"},
		{"negative RotateAfter", sessions.Options{RotateAfter: -time.Minute}, "RotateAfter"},
		{"negative RotateGrace", sessions.Options{RotateGrace: -time.Second}, "RotateGrace"},
		{"negative MaxPerUser", sessions.Options{MaxPerUser: -1}, "MaxPerUser"},
		{"unknown LimitPolicy", sessions.Options{MaxPerUser: 2, LimitPolicy: 7}, "LimitPolicy"},
		{"unknown BindPolicy", sessions.Options{BindPolicy: 7}, "BindPolicy"},
		{"negative Guessing.Threshold", sessions.Options{Guessing: sessions.GuessingOptions{Threshold: -1}}, "Threshold"},
		{"negative Guessing.Window", sessions.Options{Guessing: sessions.GuessingOptions{Threshold: 5, Window: -time.Second}}, "Window"},
		{"nil Guessing.TrustedProxies entry", sessions.Options{Guessing: sessions.GuessingOptions{TrustedProxies: []*net.IPNet{nil}}}, "TrustedProxies"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := tc.opts
			opts.OnEvent = func(context.Context, sessions.Event) {}
			m, err := sessions.NewManager(newMemoryStore(t), opts)
			if err != nil {
				if !errors.Is(err, sessions.ErrConfig) || !strings.Contains(err.Error(), tc.field) {
					t.Errorf("NewManager: %v; want an error wrapping ErrConfig naming %s", err, tc.field)
				}
				return
			}
			// Accepted: show what the bad option does to a request.
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Errorf("NewManager accepted it, and a request then panicked: %v", p)
					}
				}()
				do(t, m, "", func(s *sessions.Session) { s.Set("k", 1) })
			}()
			t.Errorf("NewManager accepted %s; want an error wrapping ErrConfig naming it", tc.field)
		})
	}
}

// TestKeepOnLoginListedTwice checks that a key listed twice in KeepOnLogin
// is carried into the login's session once: the Record contract (Fields
// sorted, no duplicates) and the Delta contract (each key of Set once)
// must hold whatever the option holds.
func TestKeepOnLoginListedTwice(t *testing.T) {
	for _, tc := range []struct {
		name     string
		existing bool // the anonymous session is stored before the login
	}{
		{"new session", false},
		{"stored session", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, _ := newTestManager(t, sessions.Options{KeepOnLogin: []string{"cart", "cart"}})
			id := ""
			if tc.existing {
				id = seedSession(t, m)
			}
			var handle string
			do(t, m, id, func(s *sessions.Session) {
				s.Set("cart", "3 items")
				if err := s.Login("alice"); err != nil {
					t.Fatal(err)
				}
				if err := s.Save(); err != nil {
					t.Fatal(err)
				}
				handle = s.ID()
			})
			rec, found, err := m.Store().Load(t.Context(), handle)
			if err != nil || !found {
				t.Fatalf("Load: %v, %v", found, err)
			}
			var keys []string
			for _, f := range rec.Fields {
				keys = append(keys, f.Key)
			}
			if len(keys) != 1 || keys[0] != "cart" {
				t.Errorf("the login's record holds fields %q; want [cart] once", keys)
			}
		})
	}
}
