package main

import (
	"net"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSecondSignalEndsShutdown: the first SIGTERM starts a graceful
// shutdown that waits for running requests; a second signal (a second
// Ctrl-C) must end the demo at once rather than be swallowed while a
// client that never finishes its request holds the shutdown open.
func TestSecondSignalEndsShutdown(t *testing.T) {
	p := startDemo(t)
	conn, err := net.Dial("tcp", strings.TrimPrefix(p.base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// A request whose body never comes: the shutdown has to wait for it.
	if _, err := conn.Write([]byte("PUT /api/session/values/x HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n1")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	exited := make(chan error, 1)
	go func() { exited <- p.cmd.Wait() }()
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-exited:
		t.Fatalf("the demo exited (%v) at the first SIGTERM with a request running; want a graceful wait", err)
	case <-time.After(500 * time.Millisecond):
	}
	start := time.Now()
	p.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		p.cmd.Process.Signal(syscall.SIGKILL)
		<-exited
		t.Fatal("the demo still runs 10s after a second signal")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("the demo exited %v after the second signal; want at once", d.Round(100*time.Millisecond))
	}
}
