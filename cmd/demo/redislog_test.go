package main

import (
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
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

	logs, line := startLogged(t, "-store", "redis://"+down+"/0")
	_, rest, _ := strings.Cut(line, "addr=")
	addr, _, _ := strings.Cut(rest, " ")
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
