package sessionfasthttp_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	sessionfasthttp "github.com/sessionkit/sessions/adapters/fasthttp"
	"github.com/valyala/fasthttp"
)

// onlyReader hides a reader's type from net/http, so the client sends the
// body chunked, without a Content-Length.
type onlyReader struct{ io.Reader }

// TestStreamedFormBodyBounded checks that under Server.StreamRequestBody
// the middleware reads an application/x-www-form-urlencoded body for the
// CSRF form field only when its Content-Length says it is at most 10 MB, the
// cap net/http puts on such a form: a larger or chunked body stays an unread
// stream for the handler (an upload route, an exempt one) instead of being
// read into memory whole, past the server's MaxRequestBodySize, by every
// route; the token must then come in the header. A small form still carries
// the token in its field.
func TestStreamedFormBodyBounded(t *testing.T) {
	c, token, _ := streamingUploadServer(t)
	const big = 16 << 20
	small := url.Values{"csrf_token": {token}}.Encode()
	cases := []struct {
		name   string
		path   string
		body   io.Reader
		hdr    []string
		status int
		want   string
	}{
		{"large body, exempt route", "/upload", strings.NewReader(strings.Repeat("a", big)), nil,
			200, fmt.Sprintf("stream=true read=%d", big)},
		{"chunked body, exempt route", "/upload", onlyReader{strings.NewReader("a=1")}, nil,
			200, "stream=true read=3"},
		{"large body, header token", "/form", strings.NewReader(strings.Repeat("a", big)), []string{"X-CSRF-Token", token},
			200, fmt.Sprintf("stream=true read=%d", big)},
		{"small form, token in the field", "/form", strings.NewReader(small), nil,
			200, "stream=false read=0"},
		{"chunked form, token in the field", "/form", onlyReader{strings.NewReader(small)}, nil,
			403, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			hdr := append([]string{"Content-Type", "application/x-www-form-urlencoded"}, tc.hdr...)
			resp, body := c.do("POST", tc.path, tc.body, hdr...)
			if resp.StatusCode != tc.status || (tc.want != "" && body != tc.want) {
				t.Errorf("got %d %q, want %d %q", resp.StatusCode, body, tc.status, tc.want)
			}
		})
	}
}

// streamingUploadServer starts a fasthttp server with Server.StreamRequestBody
// and a 1 MB MaxRequestBodySize under the middleware, whose "/upload" (CSRF
// exempt for POST) and "/form" routes answer whether the body came as a
// stream and how many bytes of it the handler read; each configure function
// may change the server before it starts. It returns a client holding a
// session, that session's CSRF token and the server's address.
func streamingUploadServer(t *testing.T, configure ...func(*fasthttp.Server)) (c *client, token, addr string) {
	t.Helper()
	m, _ := newManager(t, sessions.Options{CSRF: sessions.CSRFOptions{ExemptPatterns: []string{"POST /upload"}}})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rs := basic()
	rs["/upload"] = func(ctx *fasthttp.RequestCtx, s *sessions.Session) {
		stream := ctx.Request.IsBodyStream()
		var n int64
		if r := ctx.RequestBodyStream(); r != nil { // nil once the stream was read
			n, _ = io.Copy(io.Discard, r)
		}
		fmt.Fprintf(ctx, "stream=%v read=%d", stream, n)
	}
	rs["/form"] = rs["/upload"]
	srv := &fasthttp.Server{
		Handler:            sessionfasthttp.Middleware(m)(rs.handler(m)),
		StreamRequestBody:  true,
		MaxRequestBodySize: 1 << 20,
		Logger:             quietLogger{},
	}
	for _, f := range configure {
		f(srv)
	}
	done := make(chan struct{})
	go func() { defer close(done); srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.ShutdownWithContext(ctx)
		<-done
	})
	c = newClient(t, "http://"+ln.Addr().String(), m, nil)
	_, token = c.get("/token")
	if token == "" || c.cookie == nil {
		t.Fatal("no CSRF token or session")
	}
	return c, token, ln.Addr().String()
}
