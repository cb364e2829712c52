package main

import (
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/sessionkit/sessions/internal/syncbuf"
)

// TestListeningLogLine: the demo's "demo listening" line names the address
// it listens on, the store with any password in its URL hidden, and the
// cookie name the manager really uses: "id" under -insecure-cookie, whose
// Secure-less cookie cannot carry the default name's __Host- prefix.
func TestListeningLogLine(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := ln.Addr().String()
	ln.Close() // no Redis there: the demo starts anyway, and no password is sent

	var logs syncbuf.Buffer
	cmd := exec.Command(binary(t), "-addr", "127.0.0.1:0", "-insecure-cookie", "-store", "redis://:s3cret@"+down+"/0")
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	var line string
	for deadline := time.Now().Add(15 * time.Second); line == ""; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the demo logged no listening line within 15s:\n%s", logs.String())
		}
		for l := range strings.Lines(logs.String()) {
			if strings.Contains(l, "demo listening addr=") && strings.HasSuffix(l, "\n") {
				line = strings.TrimSpace(l)
			}
		}
	}
	if strings.Contains(line, "s3cret") {
		t.Errorf("the listening line shows the store's password: %s", line)
	}
	for _, want := range []string{" addr=127.0.0.1:", " store=redis://", "@" + down + "/0", " cookie=id"} {
		if !strings.Contains(line, want) {
			t.Errorf("the listening line %q lacks %q", line, want)
		}
	}
	if !strings.HasSuffix(line, " cookie=id") {
		t.Errorf("the listening line %q does not end in the cookie name the manager uses, cookie=id", line)
	}
}
