//go:build !linux

package redistest

import "os/exec"

// setPdeathsig does nothing here: only Linux has a parent-death signal, so
// a test binary that dies without cleaning up leaves its servers running.
func setPdeathsig(*exec.Cmd) {}
