package main

import (
	"net"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/sessionkit/sessions/internal/syncbuf"
)

// TestRedisDownLoggedOnce: with its Redis down, the demo logs each failed
// request once, as the manager's store-error line, and not also go-redis's
// own dial-failure lines ("redis: ... pool.go: ... failed to dial"), which
// say the same thing again in another format.
func TestRedisDownLoggedOnce(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := ln.Addr().String()
	ln.Close() // nothing listens there now: every dial is refused

	var logs syncbuf.Buffer
	cmd := exec.Command(binary(t), "-addr", "127.0.0.1:0", "-store", "redis://"+down+"/0")
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	var addr string
	for deadline := time.Now().Add(15 * time.Second); addr == ""; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the demo did not log its listening address within 15s:\n%s", logs.String())
		}
		for line := range strings.Lines(logs.String()) {
			if _, rest, ok := strings.Cut(line, "demo listening addr="); ok && strings.HasSuffix(line, "\n") {
				addr, _, _ = strings.Cut(rest, " ")
			}
		}
	}
	resp, err := http.Get("http://" + addr + "/set")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("GET /set with Redis down = %d, want 503", resp.StatusCode)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(logs.String(), "store-error") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	out := logs.String()
	if !strings.Contains(out, "store-error") {
		t.Fatalf("no store-error line logged for the failed request:\n%s", out)
	}
	for line := range strings.Lines(out) {
		if strings.HasPrefix(line, "redis: ") {
			t.Errorf("go-redis logged its own line beside the demo's store-error: %q", strings.TrimSpace(line))
		}
	}
}
