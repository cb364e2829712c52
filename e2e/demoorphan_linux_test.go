package e2e

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// demoOrphanBin, set in the environment of the child test binary that
// TestDemoDiesWithTestBinary starts, names the demo binary the child runs.
const demoOrphanBin = "SESSIONS_E2E_ORPHAN_DEMO"

// A demo process that startDemo started ends when the test binary dies
// without running its cleanups: go test's -timeout, or the binary killed.
// Otherwise every such run leaves a demo server listening on loopback. The
// test runs itself as a child that starts the demo, reports its PID, and
// kills itself with SIGKILL; then the demo must be gone.
func TestDemoDiesWithTestBinary(t *testing.T) {
	if bin := os.Getenv(demoOrphanBin); bin != "" {
		_, demo := runDemo(t, bin)
		fmt.Printf("demo-pid %d\n", demo.Pid)
		os.Stdout.Sync()
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {}
	}
	bin := demoBinary(t)
	child := exec.Command(os.Args[0], "-test.run=^TestDemoDiesWithTestBinary$", "-test.count=1")
	child.Env = append(os.Environ(), demoOrphanBin+"="+bin)
	child.Stderr = os.Stderr
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	pid := 0
	var lines []string
	for sc := bufio.NewScanner(out); sc.Scan(); {
		lines = append(lines, sc.Text())
		if p, ok := strings.CutPrefix(sc.Text(), "demo-pid "); ok {
			pid, _ = strconv.Atoi(p)
		}
	}
	child.Wait()
	if pid == 0 {
		t.Fatalf("the child test binary reported no demo PID; its output:\n%s", strings.Join(lines, "\n"))
	}
	deadline := time.Now().Add(5 * time.Second)
	for alive(pid) {
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("the demo (PID %d) still runs 5s after the test binary that started it was killed", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// alive reports whether the process pid runs: it exists and is not a
// zombie waiting for its new parent to reap it.
func alive(pid int) bool {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// The state follows the command name, which is in parentheses.
	s := string(stat)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}
