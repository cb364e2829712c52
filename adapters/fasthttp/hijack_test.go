package sessionfasthttp_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	sessionfasthttp "github.com/sessionkit/sessions/adapters/fasthttp"
	"github.com/valyala/fasthttp"
)

// TestHijackAfterFailedCommit is the root package's test of the same name
// under fasthttp: a handler that upgrades the connection with ctx.Hijack
// (a WebSocket, say) and whose session cannot be committed must not get
// the connection; the client gets the error handler's answer. fasthttp
// runs the hijack handler after the handler has returned, so the commit,
// which comes after the handler, must call the hijack off when it fails,
// as it drops the rest of the handler's response.
func TestHijackAfterFailedCommit(t *testing.T) {
	for _, noResponse := range []bool{false, true} {
		name := "response then hijack"
		if noResponse {
			name = "HijackSetNoResponse"
		}
		t.Run(name, func(t *testing.T) {
			m, store := newManager(t, sessions.Options{})
			var hijacked atomic.Bool
			rs := basic()
			rs["/ws"] = func(ctx *fasthttp.RequestCtx, s *sessions.Session) {
				s.Set("ws", "open")
				ctx.SetStatusCode(fasthttp.StatusSwitchingProtocols)
				ctx.HijackSetNoResponse(noResponse)
				ctx.Hijack(func(c net.Conn) {
					hijacked.Store(true)
					// The upgraded protocol, as the client sees it.
					io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 8\r\nConnection: close\r\n\r\nhijacked")
				})
			}
			base, _ := serve(t, sessionfasthttp.Middleware(m)(rs.handler(m)))
			c := newClient(t, base, m, nil)
			c.get("/set")
			store.failWrite.Store(true) // the commit after the handler fails

			conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(5 * time.Second))
			br := bufio.NewReader(conn)
			send := func(path string) (*http.Response, string) {
				t.Helper()
				io.WriteString(conn, "GET "+path+" HTTP/1.1\r\nHost: example.com\r\nCookie: "+c.cookie.Name+"="+c.cookie.Value+"\r\n\r\n")
				resp, err := http.ReadResponse(br, nil)
				if err != nil {
					t.Fatalf("GET %s: %v", path, err)
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				return resp, string(b)
			}
			resp, body := send("/ws")
			if resp.StatusCode != http.StatusServiceUnavailable {
				t.Errorf("GET /ws: %d %q, want the error handler's 503", resp.StatusCode, body)
			} else if !resp.Close {
				// The connection is the server's still: it serves the next
				// request, not the hijack handler.
				store.failWrite.Store(false)
				if resp, body := send("/get"); resp.StatusCode != http.StatusOK || body != "gopher" {
					t.Errorf("next request on the connection: %d %q, want 200 gopher from the server", resp.StatusCode, body)
				}
			}
			if hijacked.Load() {
				t.Error("the hijack handler got the connection after the commit failed")
			}
		})
	}
}
