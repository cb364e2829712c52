package sessionfasthttp_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	sessionfasthttp "github.com/sessionkit/sessions/adapters/fasthttp"
	"github.com/valyala/fasthttp"
)

// TestCoreRequestMirrorsConnection checks the *http.Request the core hands
// to Options.ErrorHandler (and so to any hook that gets the request): it
// carries the client's address, the protocol version the client spoke,
// every value of a repeated header line, and Transfer-Encoding in
// Request.TransferEncoding rather than among the headers, as net/http's
// server builds it. The server streams request bodies
// (Server.StreamRequestBody), under which fasthttp keeps a chunked body's
// Transfer-Encoding line rather than reading the body whole.
func TestCoreRequestMirrorsConnection(t *testing.T) {
	cases := []struct {
		name  string
		line  string // the request line's protocol
		extra string // further header lines
		body  string
		check func(t *testing.T, r *http.Request, client net.Addr)
	}{
		{"remote address", "HTTP/1.1", "", "", func(t *testing.T, r *http.Request, client net.Addr) {
			if r.RemoteAddr != client.String() {
				t.Errorf("RemoteAddr = %q, want the client's %q", r.RemoteAddr, client)
			}
		}},
		{"HTTP/1.0", "HTTP/1.0", "", "", func(t *testing.T, r *http.Request, _ net.Addr) {
			if r.Proto != "HTTP/1.0" || r.ProtoMajor != 1 || r.ProtoMinor != 0 || r.ProtoAtLeast(1, 1) {
				t.Errorf("Proto = %q (%d.%d), want HTTP/1.0", r.Proto, r.ProtoMajor, r.ProtoMinor)
			}
		}},
		{"repeated header", "HTTP/1.1", "X-Forwarded-For: 192.0.2.1\r\nX-Forwarded-For: 198.51.100.2\r\n", "", func(t *testing.T, r *http.Request, _ net.Addr) {
			if got := r.Header.Values("X-Forwarded-For"); !slices.Equal(got, []string{"192.0.2.1", "198.51.100.2"}) {
				t.Errorf("X-Forwarded-For = %q, want both lines", got)
			}
		}},
		{"chunked body", "HTTP/1.1", "Transfer-Encoding: chunked\r\n", "0\r\n\r\n", func(t *testing.T, r *http.Request, _ net.Addr) {
			if v, ok := r.Header["Transfer-Encoding"]; ok {
				t.Errorf("Transfer-Encoding among the headers: %q", v)
			}
			if !slices.Equal(r.TransferEncoding, []string{"chunked"}) {
				t.Errorf("TransferEncoding = %q, want [chunked]", r.TransferEncoding)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			seen := make(chan *http.Request, 1)
			m, store := newManager(t, sessions.Options{ErrorHandler: func(w http.ResponseWriter, r *http.Request, _ error) {
				seen <- r
				http.Error(w, "unavailable", http.StatusServiceUnavailable)
			}})
			base := serveStreaming(t, sessionfasthttp.Middleware(m)(basic().handler(m)))
			c := newClient(t, base, m, nil)
			c.get("/set")
			store.failLoad.Store(true) // GET /get answers through the error handler

			conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(5 * time.Second))
			io.WriteString(conn, "GET /get "+tc.line+"\r\nHost: example.com\r\nCookie: "+c.cookie.Name+"="+c.cookie.Value+"\r\n"+tc.extra+"\r\n"+tc.body)
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusServiceUnavailable {
				t.Fatalf("status %d, want the error handler's 503", resp.StatusCode)
			}
			tc.check(t, <-seen, conn.LocalAddr())
		})
	}
}

// serveStreaming runs h on a fasthttp server with Server.StreamRequestBody
// on a loopback port and returns its base URL.
func serveStreaming(t *testing.T, h fasthttp.RequestHandler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &fasthttp.Server{Handler: h, StreamRequestBody: true, Logger: quietLogger{}}
	done := make(chan struct{})
	go func() { defer close(done); srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.ShutdownWithContext(ctx)
		<-done
	})
	return "http://" + ln.Addr().String()
}
