package main

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// TestSlowHeadersCutOff: a client that opens a connection and never
// finishes its request headers is disconnected after the demo's 10-second
// header timeout, instead of holding the connection (and a goroutine)
// for as long as it likes.
func TestSlowHeadersCutOff(t *testing.T) {
	t.Parallel()
	p := startDemo(t)
	conn, err := net.Dial("tcp", strings.TrimPrefix(p.base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("GET / HTTP/1.1\r\nHost: localhost\r\n")); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	conn.SetReadDeadline(start.Add(20 * time.Second))
	_, err = io.Copy(io.Discard, conn) // until the demo closes the connection
	if d := time.Since(start); err != nil || d < 9*time.Second || d > 15*time.Second {
		t.Errorf("connection with unfinished headers closed after %v (%v); want about 10s", d.Round(100*time.Millisecond), err)
	}
}
