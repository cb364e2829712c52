package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEmptyBoltFile: a bolt path naming an empty file (one made with touch,
// or a truncated copy) holds no sessions, and bbolt would turn it into a
// new, empty database: revoke-user would answer "revoked 0 sessions" and
// exit 0, a log-out-everywhere reported done that did nothing, as with a
// missing file (TestMissingBoltFile). It is an error naming the file, and
// the file is left as it was.
func TestEmptyBoltFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sessions.db")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"revoke-user", "alice"}, {"count"}} {
		var out, errb bytes.Buffer
		code := run(append([]string{"-store", "bolt:" + path}, args...), &out, &errb)
		if code != 1 || out.Len() != 0 || !strings.Contains(errb.String(), path) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want 1, nothing on stdout, and the file named", args[0], code, out.String(), errb.String())
		}
		if fi, err := os.Stat(path); err != nil || fi.Size() != 0 {
			t.Fatalf("sessionsctl %s changed the empty file: %v, %v", args[0], fi.Size(), err)
		}
	}
}
