package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sessionkit/sessions/storetest"
)

// TestMissingBoltFile: a bolt path that names no database (a typo, the
// wrong working directory) is an error, as a memory store is (see
// TestNoMemoryStore): opening it would create a new, empty database, and
// revoke-user would answer "revoked 0 sessions of alice" and exit 0, a
// log-out-everywhere reported done that did nothing, leaving a stray file
// (and directories) behind.
func TestMissingBoltFile(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		path string
	}{
		{"missing file", filepath.Join(dir, "sessions.db")},
		{"missing directory", filepath.Join(dir, "var", "lib", "sessions.db")},
	} {
		for _, args := range [][]string{
			{"revoke-user", "alice"},
			{"list", "alice"},
			{"revoke", storetest.NewKey(t)},
		} {
			t.Run(tc.name+" "+args[0], func(t *testing.T) {
				var out, errb bytes.Buffer
				code := run(append([]string{"-store", "bolt:" + tc.path}, args...), &out, &errb)
				if code != 1 || out.Len() != 0 {
					t.Errorf("exit %d, stdout %q; want 1 and nothing on stdout", code, out.String())
				}
				if !strings.Contains(errb.String(), tc.path) {
					t.Errorf("stderr %q does not name the missing file %s", errb.String(), tc.path)
				}
				if _, err := os.Stat(tc.path); err == nil {
					t.Errorf("sessionsctl created %s", tc.path)
				}
				if tc.name == "missing directory" {
					if _, err := os.Stat(filepath.Join(dir, "var")); err == nil {
						t.Errorf("sessionsctl created the directory %s", filepath.Join(dir, "var"))
					}
				}
			})
		}
	}
}
