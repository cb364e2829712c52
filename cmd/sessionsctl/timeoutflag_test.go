package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sessionkit/sessions/cmd/internal/storeurl"
)

// TestTimeoutMustBePositive: -timeout 0 (read elsewhere as "no limit") or a
// negative one gave every command an expired deadline, so each failed with
// a bare "context deadline exceeded", exit 1, whatever the store. It is a
// usage error that names the flag.
func TestTimeoutMustBePositive(t *testing.T) {
	spec := existingBolt(t)
	for _, d := range []string{"0", "0s", "-1s"} {
		var out, errb bytes.Buffer
		code := run([]string{"-store", spec, "-timeout", d, "count"}, &out, &errb)
		if code != 2 || out.Len() != 0 || !strings.Contains(errb.String(), "-timeout") || !strings.Contains(errb.String(), "usage: sessionsctl") {
			t.Errorf("sessionsctl -timeout %s count = exit %d, stdout %q, stderr %q; want exit 2, the flag named and the usage", d, code, out.String(), errb.String())
		}
	}
}

// TestDeadlineSaysWhatToDo: a store that does not answer within -timeout
// fails the command with an error that names the limit and what to do,
// not a bare "context deadline exceeded".
func TestDeadlineSaysWhatToDo(t *testing.T) {
	for _, spec := range []string{redisSpec(t), postgresSpec(t)} {
		var out, errb bytes.Buffer
		code := run([]string{"-store", spec, "-timeout", "1ns", "count"}, &out, &errb)
		if code != 1 || out.Len() != 0 || !strings.Contains(errb.String(), "raise -timeout") {
			t.Errorf("sessionsctl -store %s -timeout 1ns count = exit %d, stdout %q, stderr %q; want exit 1 and an error saying to raise -timeout", storeurl.Redact(spec), code, out.String(), errb.String())
		}
	}
}

// existingBolt returns a -store for a bbolt session database that exists.
func existingBolt(t *testing.T) string {
	t.Helper()
	spec := "bolt:" + filepath.Join(t.TempDir(), "s.db")
	_, closeStore, err := storeurl.Open(t.Context(), spec, "")
	if err != nil {
		t.Fatal(err)
	}
	closeStore()
	return spec
}
