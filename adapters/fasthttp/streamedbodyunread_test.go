package sessionfasthttp_test

import (
	"bufio"
	"bytes"
	"fmt"
	"mime/multipart"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

// TestStreamedMultipartLeftForHandler checks that under
// Server.StreamRequestBody, with DisablePreParseMultipartForm so that
// fasthttp streams a multipart/form-data body too, the middleware does not
// parse that body for the CSRF form field: the handler of an exempt route,
// or one whose token is in the header, gets the whole body as a stream to
// read itself.
func TestStreamedMultipartLeftForHandler(t *testing.T) {
	c, token, _ := streamingUploadServer(t, func(srv *fasthttp.Server) { srv.DisablePreParseMultipartForm = true })
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("note", "upload")
	fw, err := mw.CreateFormFile("file", "big.bin")
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(bytes.Repeat([]byte("a"), 2<<20)) // over MaxRequestBodySize: streamed
	mw.Close()
	body := buf.String()
	for _, tc := range []struct {
		name string
		path string
		hdr  []string
	}{
		{"exempt route", "/upload", nil},
		{"token in the header", "/form", []string{"X-CSRF-Token", token}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hdr := append([]string{"Content-Type", mw.FormDataContentType()}, tc.hdr...)
			resp, got := c.do("POST", tc.path, strings.NewReader(body), hdr...)
			if want := fmt.Sprintf("stream=true read=%d", len(body)); resp.StatusCode != 200 || got != want {
				t.Errorf("got %d %q, want 200 %q", resp.StatusCode, got, want)
			}
		})
	}
}

// TestStreamedFormOverCapNotAwaited checks that under
// Server.StreamRequestBody an application/x-www-form-urlencoded body whose
// Content-Length is over net/http's 10 MB form cap is not read for the CSRF
// form field: a request without the token in the header is refused at
// once, while the body is still coming, instead of the middleware waiting
// for (and holding) all of it.
func TestStreamedFormOverCapNotAwaited(t *testing.T) {
	c, _, addr := streamingUploadServer(t)
	const size = 16 << 20
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /form HTTP/1.1\r\nHost: %s\r\nCookie: %s=%s\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s",
		addr, c.cookie.Name, c.cookie.Value, size, "a="+strings.Repeat("x", 64<<10))
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	status, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		t.Fatalf("no answer while the body is still coming (the middleware waits to read all of it): %v", err)
	}
	if !strings.HasPrefix(status, "HTTP/1.1 403") {
		t.Errorf("status line %q, want 403", status)
	}
}
