package redistest

import (
	"os/exec"
	"syscall"
)

// setPdeathsig makes the kernel kill a redis-server the test started if the
// test binary dies without cleaning up (a timeout, a crash).
func setPdeathsig(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
