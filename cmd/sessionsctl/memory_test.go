package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestNoMemoryStore: sessionsctl runs in its own process, so a memory
// store it opens is a new, empty one, never the sessions of the server an
// admin means: revoke-user would answer "revoked 0 sessions of alice"
// and exit 0, a log-out-everywhere reported done that did nothing. So
// -store is required, and memory is refused.
func TestNoMemoryStore(t *testing.T) {
	for _, args := range [][]string{
		{"revoke-user", "alice"},
		{"-store", "memory", "revoke-user", "alice"},
		{"-store", "memory", "list", "alice"},
	} {
		var out, errb bytes.Buffer
		code := run(args, &out, &errb)
		if code == 0 || strings.Contains(out.String(), "revoked") {
			t.Errorf("sessionsctl %s = exit %d, stdout %q: want a refusal, not a reported success", strings.Join(args, " "), code, out.String())
		}
		if errb.Len() == 0 {
			t.Errorf("sessionsctl %s: nothing on stderr to say why", strings.Join(args, " "))
		}
	}
}
