package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestMalformedStoreIsUsageError: a -store sessionsctl cannot read (an
// unknown scheme, a bolt: without a path, bolt://NAME, a Redis or
// PostgreSQL URL their parsers refuse) is a usage error,
// exit 2 with the usage, as -store memory, -store cookie and a missing
// -store are (TestNoMemoryStore, TestNoCookieStore), not exit 1, which
// scripts read as the store failing. The error suggests only the stores
// sessionsctl can inspect.
func TestMalformedStoreIsUsageError(t *testing.T) {
	for _, tc := range []struct {
		spec, inStderr string
	}{
		{"ftp://127.0.0.1/sessions", "unknown -store"},
		{"mysql://127.0.0.1/db", "unknown -store"},
		{"bolt:", "needs a file path"},
		{"bolt://sessions.db", "not a URL"},
		{"redis://127.0.0.1:6379/x", "invalid database number"},
		{"redis://127.0.0.1:6379/0?bogus=1", "unexpected option"},
		{"postgres://postgres@127.0.0.1:5432/test?sslmode=bogus", "sslmode is invalid"},
	} {
		var out, errb bytes.Buffer
		code := run([]string{"-store", tc.spec, "count"}, &out, &errb)
		if code != 2 || out.Len() != 0 || !strings.Contains(errb.String(), tc.inStderr) || !strings.Contains(errb.String(), "usage: sessionsctl") {
			t.Errorf("sessionsctl -store %s count = exit %d, stdout %q, stderr %q; want exit 2, %q and the usage", tc.spec, code, out.String(), errb.String(), tc.inStderr)
		}
		// The stores the error suggests are those sessionsctl can inspect.
		if first, _, _ := strings.Cut(errb.String(), "\n"); strings.Contains(first, "memory") || strings.Contains(first, "cookie") {
			t.Errorf("sessionsctl -store %s: error %q suggests a store sessionsctl refuses", tc.spec, first)
		}
	}
}
