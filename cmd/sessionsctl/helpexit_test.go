package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestHelpExitsZero: -h and -help print the usage and exit 0, as Go's flag
// package does for a program that exits on flag errors; an unknown flag
// is still a usage error, exit 2.
func TestHelpExitsZero(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"-h"}, 0},
		{[]string{"-help"}, 0},
		{[]string{"-store", "redis://127.0.0.1:6379/0", "-h"}, 0},
		{[]string{"-bogus"}, 2},
	} {
		var out, errb bytes.Buffer
		code := run(tc.args, &out, &errb)
		if code != tc.code || !strings.Contains(errb.String(), "usage: sessionsctl") {
			t.Errorf("sessionsctl %q: exit %d, stderr %q; want exit %d and the usage", tc.args, code, errb.String(), tc.code)
		}
	}
}
