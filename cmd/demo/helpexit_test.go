package main

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestExitCodes runs the demo binary with arguments it cannot start with
// or that ask for help: -h and -help print the usage and exit 0, as Go's
// flag package does for a program that exits on flag errors; an unknown
// flag or a stray argument is a usage error, exit 2, with the usage on
// stderr and the demo never listening.
func TestExitCodes(t *testing.T) {
	bin := binary(t)
	for _, tc := range []struct {
		args     []string
		code     int
		inStderr string
	}{
		{[]string{"-h"}, 0, "-store"},
		{[]string{"-help"}, 0, "-store"},
		{[]string{"-bogus"}, 2, "flag provided but not defined"},
		{[]string{"-addr", "127.0.0.1:0", "-insecure-cookie", "true", "-store", "memory"}, 2, `unexpected argument "true"`},
		{[]string{"-addr", "127.0.0.1:0", "-insecure-cookie", "true", "-store", "memory"}, 2, "Usage of demo:"},
	} {
		var stderr bytes.Buffer
		// A demo that starts serving instead would never exit.
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, tc.args...)
		cmd.Stderr = &stderr
		err := cmd.Run()
		code := 0
		if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != tc.code || !strings.Contains(stderr.String(), tc.inStderr) {
			t.Errorf("demo %q: exit %d, stderr %q; want exit %d and stderr holding %q", tc.args, code, stderr.String(), tc.code, tc.inStderr)
		}
	}
}
