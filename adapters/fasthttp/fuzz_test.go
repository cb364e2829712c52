package sessionfasthttp

import (
	"bufio"
	"bytes"
	"context"
	"net"
	"strings"
	"testing"
	"unsafe"

	"github.com/valyala/fasthttp"
)

// FuzzNewRequest feeds raw requests that fasthttp accepts to newRequest,
// the bridge from a RequestCtx to the *http.Request the core reads: it must
// not panic, must carry every header value and the method as fasthttp parsed
// them, and must own its strings, so that fasthttp reusing its buffers for
// the next request changes nothing the session may have kept.
func FuzzNewRequest(f *testing.F) {
	for _, s := range []string{
		"GET / HTTP/1.1\r\nHost: a\r\n\r\n",
		"GET /p?q=1 HTTP/1.1\r\nHost: example.com\r\nCookie: __Host-id=abc; x=y\r\nUser-Agent: ua/1\r\n\r\n",
		"POST /login HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 20\r\n\r\ncsrf_token=t&user=al",
		"POST /u HTTP/1.1\r\nHost: a\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 62\r\n\r\n--b\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\nt\r\n--b--\r\n",
		"PATCH * HTTP/1.0\r\nHost: a\r\nX-A: 1\r\nx-a: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
		"GET http://other/abs HTTP/1.1\r\nHost: a\r\n\r\n",
		"BREW /%zz HTTP/1.1\r\nHost: a\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var req fasthttp.Request
		if err := req.Read(bufio.NewReader(bytes.NewReader(raw))); err != nil {
			return // fasthttp refuses it; the middleware never sees it
		}
		var ctx fasthttp.RequestCtx
		ctx.Init(&req, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1}, nil)
		r := newRequest(&ctx, context.Background())
		if got, want := r.Method, string(ctx.Method()); got != want {
			t.Fatalf("method %q, fasthttp parsed %q", got, want)
		}
		want := map[string][]string{}
		for k, v := range ctx.Request.Header.All() {
			key := strings.ToLower(string(k))
			if key == "host" || key == "transfer-encoding" {
				continue
			}
			want[key] = append(want[key], string(v))
		}
		got := map[string][]string{}
		var kept []string
		for k, vs := range r.Header {
			got[strings.ToLower(k)] = append(got[strings.ToLower(k)], vs...)
			kept = append(kept, vs...)
		}
		for k, vs := range want {
			if strings.Join(got[k], "\x00") != strings.Join(vs, "\x00") {
				t.Fatalf("header %q: %q, fasthttp parsed %q", k, got[k], vs)
			}
		}
		if len(got) != len(want) {
			t.Fatalf("header names %v, fasthttp parsed %v", got, want)
		}
		// fasthttp reuses the request's buffers for the next request: no
		// string the core sees may point into them.
		var bufs [][]byte
		for k, v := range ctx.Request.Header.All() {
			bufs = append(bufs, k, v)
		}
		bufs = append(bufs, ctx.Request.Header.RawHeaders(), ctx.Method(), ctx.Host(), ctx.RequestURI(), ctx.Path())
		kept = append(kept, r.Method, r.Host, r.RequestURI, r.URL.Path)
		for _, s := range kept {
			if s == "" {
				continue
			}
			p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
			for _, b := range bufs {
				if len(b) == 0 {
					continue
				}
				start := uintptr(unsafe.Pointer(&b[0]))
				if p >= start && p < start+uintptr(len(b)) {
					t.Fatalf("%q points into a buffer fasthttp reuses", s)
				}
			}
		}
	})
}
