package sessionfasthttp_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	sessionfasthttp "github.com/sessionkit/sessions/adapters/fasthttp"
)

// TestErrorHandlerAnswerAsNetHTTP checks that Options.ErrorHandler's answer
// reaches the client as net/http would send it: an informational status
// written first (103 Early Hints) is not taken for the final one, which
// fasthttp's buffered response cannot send ahead, and a body written
// without a Content-Type gets the one net/http detects from it.
func TestErrorHandlerAnswerAsNetHTTP(t *testing.T) {
	const page = "<!DOCTYPE html><html><body>try again later</body></html>"
	for _, tc := range []struct {
		name     string
		eh       func(w http.ResponseWriter, r *http.Request, err error)
		wantType string
		wantBody string
	}{
		{"informational status first", func(w http.ResponseWriter, _ *http.Request, _ error) {
			w.Header().Set("Link", "</down.css>; rel=preload")
			w.WriteHeader(http.StatusEarlyHints)
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
		}, "text/plain; charset=utf-8", "unavailable\n"},
		{"no Content-Type", func(w http.ResponseWriter, _ *http.Request, _ error) {
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, page)
		}, "text/html; charset=utf-8", page},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, store := newManager(t, sessions.Options{ErrorHandler: tc.eh})
			base, _ := serve(t, sessionfasthttp.Middleware(m)(basic().handler(m)))
			c := newClient(t, base, m, nil)
			c.get("/set")
			store.failLoad.Store(true)

			conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(5 * time.Second))
			io.WriteString(conn, "GET /get HTTP/1.1\r\nHost: example.com\r\nCookie: "+c.cookie.Name+"="+c.cookie.Value+"\r\n\r\n")
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusServiceUnavailable || string(b) != tc.wantBody {
				t.Errorf("got %d %q, want 503 %q", resp.StatusCode, b, tc.wantBody)
			}
			if ct := resp.Header.Get("Content-Type"); ct != tc.wantType {
				t.Errorf("Content-Type %q, want %q", ct, tc.wantType)
			}
		})
	}
}
