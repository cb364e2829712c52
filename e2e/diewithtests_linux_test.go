package e2e

import (
	"os/exec"
	"syscall"
)

// dieWithTests has the kernel kill cmd's process when the thread that
// starts it ends, which it does when the test binary dies. Cleanups do not
// run on go test's -timeout or a kill, so they alone would leave the
// process running.
//
// The signal follows the starting OS thread, not the process, and Go may
// end a thread whose goroutine locked it: start cmd from a goroutine that
// does not lock its thread (a test's own goroutine does not).
func dieWithTests(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = new(syscall.SysProcAttr)
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
}
