package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

// TestUsageCheckedBeforeStore: a command sessionsctl does not know, or one
// given the wrong number of arguments, is a usage error (exit 2 and the
// usage) whatever the store's state: it is found before the store is
// opened, so a store that is down, or a bolt path naming no file, neither
// hides the mistake behind its own error (exit 1) nor makes the user wait
// out -timeout to learn of it.
func TestUsageCheckedBeforeStore(t *testing.T) {
	stores := []string{
		"bolt:" + filepath.Join(t.TempDir(), "missing.db"),
		// A port nothing listens on: a PostgreSQL server that is down.
		"postgres://postgres@127.0.0.1:1/test?sslmode=disable&connect_timeout=2",
	}
	for _, spec := range stores {
		for _, tc := range []struct {
			args     []string
			inStderr string
		}{
			{[]string{"bogus"}, `unknown command "bogus"`},
			{[]string{"show"}, "show takes one argument"},
			{[]string{"list", "alice", "bob"}, "list takes one argument"},
			{[]string{"revoke-user", ""}, "revoke-user takes one argument"},
			{[]string{"count", "x"}, "count takes no argument"},
		} {
			var out, errb bytes.Buffer
			code := run(append([]string{"-store", spec}, tc.args...), &out, &errb)
			if code != 2 || out.Len() != 0 || !strings.Contains(errb.String(), tc.inStderr) || !strings.Contains(errb.String(), "usage: sessionsctl") {
				t.Errorf("sessionsctl -store %s %q = exit %d, stdout %q, stderr %q; want exit 2, %q and the usage", spec, tc.args, code, out.String(), errb.String(), tc.inStderr)
			}
		}
	}
}
