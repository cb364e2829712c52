package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestLoginEndlessBody: POST /api/login reads no more than its 64 KiB cap of
// a body, so a client that streams a body without end (here a user name
// that never closes) is answered 400 at once rather than read for as long
// as it keeps sending.
func TestLoginEndlessBody(t *testing.T) {
	c := newClient(t, demoServer(t, "memory"))
	c.session()
	pr, pw := io.Pipe()
	go func() {
		chunk := []byte(strings.Repeat("x", 4096))
		if _, err := pw.Write([]byte(`{"user":"`)); err != nil {
			return
		}
		for {
			if _, err := pw.Write(chunk); err != nil {
				return
			}
		}
	}()
	defer pr.CloseWithError(io.ErrClosedPipe)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "POST", c.base+"/api/login", pr)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-CSRF-Token", c.csrf)
	resp, err := c.hc.Do(req)
	if err != nil {
		t.Fatalf("POST /api/login of an endless body: %v; want a 400 once the cap is read", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("POST /api/login of an endless body = %d, want 400", resp.StatusCode)
	}
}
