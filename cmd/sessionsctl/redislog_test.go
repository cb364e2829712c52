package main

import (
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestMain runs sessionsctl's main instead of the tests when the test
// binary is started by a test as the command itself.
func TestMain(m *testing.M) {
	if os.Getenv("SESSIONSCTL_TEST_RUN_MAIN") == "1" {
		main()
	}
	os.Exit(m.Run())
}

// TestRedisDownOnlyOwnError: on a Redis that is down, sessionsctl's
// stderr holds its own error alone, not also go-redis's log lines of each
// failed dial ("redis: ... pool.go: ... failed to dial ..."), which its
// default logger writes straight to the process's stderr.
func TestRedisDownOnlyOwnError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	for _, args := range [][]string{{"count"}, {"list", "alice"}, {"revoke-user", "alice"}, {"show", strings.Repeat("a", 64)}} {
		cmd := exec.Command(os.Args[0], append([]string{"-store", "redis://" + addr + "/0", "-timeout", "5s"}, args...)...)
		cmd.Env = append(os.Environ(), "SESSIONSCTL_TEST_RUN_MAIN=1")
		var out, errb strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		lines := strings.Split(strings.TrimRight(errb.String(), "\n"), "\n")
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || out.Len() != 0 || len(lines) != 1 || !strings.HasPrefix(lines[0], "sessionsctl: ") {
			t.Errorf("sessionsctl %s on a Redis that is down = %v, stdout %q, stderr %q; want exit 1 and sessionsctl's own one-line error only", args[0], err, out.String(), errb.String())
		}
	}
}
