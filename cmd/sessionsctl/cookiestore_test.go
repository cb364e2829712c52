package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestNoCookieStore: the cookie store keeps every session in its client's
// cookie, so there is nothing server-side to show, list or revoke. Opened
// here, it asked for a key sessionsctl has no -key flag for, and then
// answered "no live session HANDLE" for every session, as if the handle
// were wrong. As with memory (TestNoMemoryStore), -store cookie is refused
// up front with the reason, before any key is needed.
func TestNoCookieStore(t *testing.T) {
	for _, key := range []string{"", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="} {
		t.Setenv("SESSIONS_COOKIE_KEY", key)
		for _, args := range [][]string{
			{"-store", "cookie", "revoke", strings.Repeat("ab", 32)},
			{"-store", "cookie", "show", strings.Repeat("ab", 32)},
			{"-store", "cookie", "revoke-user", "alice"},
		} {
			var out, errb bytes.Buffer
			code := run(args, &out, &errb)
			if code != 2 || out.Len() != 0 {
				t.Errorf("sessionsctl %s = exit %d, stdout %q; want 2 and nothing", strings.Join(args, " "), code, out.String())
			}
			if msg := errb.String(); !strings.Contains(msg, "cookie") || strings.Contains(msg, "no live session") || strings.Contains(msg, "-key") {
				t.Errorf("sessionsctl %s: stderr %q; want the reason a cookie store cannot be inspected", strings.Join(args, " "), msg)
			}
		}
	}
}
