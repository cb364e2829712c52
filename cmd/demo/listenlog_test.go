package main

import (
	"net"
	"strings"
	"testing"
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

	_, line := startLogged(t, "-insecure-cookie", "-store", "redis://:s3cret@"+down+"/0")
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
