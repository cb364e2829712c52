package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestMemoryCookieAnyCase checks that a -store of memory or cookie is a
// usage error (exit 2) whatever the case of its scheme, as the store
// specification reads schemes case-insensitively: "Memory" slipped past
// the refusal and opened a new, empty memory store, in which revoke-user
// reported success while the server's sessions lived on.
func TestMemoryCookieAnyCase(t *testing.T) {
	t.Setenv("SESSIONS_COOKIE_KEY", strings.Repeat("k", 32))
	for _, args := range [][]string{
		{"-store", "Memory", "revoke-user", "alice"},
		{"-store", "MEMORY:", "list", "alice"},
		{"-store", "Cookie", "count"},
		{"-store", "COOKIE:x", "show", "abc"},
	} {
		var out, errb bytes.Buffer
		code := run(args, &out, &errb)
		if code != 2 || out.Len() != 0 || !strings.Contains(errb.String(), "cannot be inspected") {
			t.Errorf("sessionsctl %s = exit %d, stdout %q, stderr %q; want exit 2, refused as memory or cookie", strings.Join(args, " "), code, out.String(), strings.TrimSpace(errb.String()))
		}
	}
}
