//go:build !linux

package e2e

import "os/exec"

// dieWithTests does nothing here: only Linux can tie a child's life to its
// parent's. A test binary that dies without running its cleanups leaves
// the process running.
func dieWithTests(cmd *exec.Cmd) {}
