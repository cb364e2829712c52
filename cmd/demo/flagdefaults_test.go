package main

import (
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// TestFlagDefaults: with no flags (and no $SESSIONS_COOKIE_KEY) the demo
// listens on :8080 with the memory store and the library's cookie name, a
// 30-minute idle timeout, a 12-hour lifetime, no ID rotation, no cap on a
// user's sessions, a 256 KiB cap on a session's values and a Secure cookie.
// Scripts start the demo bare and rely on each of these.
func TestFlagDefaults(t *testing.T) {
	t.Setenv("SESSIONS_COOKIE_KEY", "")
	got, err := parseFlags(nil)
	if err != nil {
		t.Fatal(err)
	}
	want := config{
		addr:       ":8080",
		store:      "memory",
		cookie:     sessions.DefaultCookieName,
		key:        "",
		idle:       30 * time.Minute,
		lifetime:   12 * time.Hour,
		rotate:     0,
		maxPerUser: 0,
		maxSize:    256 << 10,
		insecure:   false,
	}
	if got != want {
		t.Errorf("parseFlags(nil) =\n %+v\nwant\n %+v", got, want)
	}
}
