package sessionfasthttp_test

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"
)

// TestFormReadOnlyForTokenCheck checks that, as under the core's Handler,
// the urlencoded body of an unsafe request is read for the CSRF form field
// only when the check needs it: not for an exempt route, not when the
// header carries the token, and not for a client whose session has no
// CSRF secret (one without a cookie), which is refused without its body
// being read. Under Server.StreamRequestBody the handler of an exempt or
// header-token route then gets its body as a stream, and an anonymous
// client cannot make the server buffer a form past MaxRequestBodySize
// only to be refused.
func TestFormReadOnlyForTokenCheck(t *testing.T) {
	c, token, addr := streamingUploadServer(t)
	const size = 4 << 20 // over MaxRequestBodySize, within net/http's form cap
	form := "a=" + strings.Repeat("x", size-2)
	for _, tc := range []struct {
		name string
		path string
		hdr  []string
		want string
	}{
		{"exempt route", "/upload", nil, fmt.Sprintf("stream=true read=%d", size)},
		{"token in the header", "/form", []string{"X-CSRF-Token", token}, fmt.Sprintf("stream=true read=%d", size)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hdr := append([]string{"Content-Type", "application/x-www-form-urlencoded"}, tc.hdr...)
			resp, body := c.do("POST", tc.path, strings.NewReader(form), hdr...)
			if resp.StatusCode != 200 || body != tc.want {
				t.Errorf("got %d %q, want 200 %q", resp.StatusCode, body, tc.want)
			}
		})
	}

	t.Run("no session", func(t *testing.T) {
		// A raw connection sends the header and the start of the body, then
		// waits for the answer with the rest of the body still to come.
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "POST /form HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s",
			addr, size, form[:64<<10])
		conn.SetReadDeadline(time.Now().Add(3 * time.Second))
		status, err := bufio.NewReader(conn).ReadString('\n')
		if err != nil {
			t.Fatalf("no answer while the body is still coming (the middleware waits to read all of it): %v", err)
		}
		if !strings.HasPrefix(status, "HTTP/1.1 403") {
			t.Errorf("status line %q, want 403", status)
		}
	})
}
