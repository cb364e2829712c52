package sessionfasthttp_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	sessionfasthttp "github.com/sessionkit/sessions/adapters/fasthttp"
	"github.com/valyala/fasthttp"
)

// keepAlive sends requests one after another on one connection to base,
// so that fasthttp serves them with one RequestCtx, and returns each
// response's status and body.
func keepAlive(t *testing.T, base string, reqs ...string) []string {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	br := bufio.NewReader(conn)
	var got []string
	for _, rq := range reqs {
		io.WriteString(conn, rq)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got = append(got, fmt.Sprintf("%d %s", resp.StatusCode, b))
	}
	return got
}

// TestSessionWriterEndsWithRequest checks that a session kept past its
// request (held by a handler, against the advice) cannot write to the
// response any more: a write through its ResponseWriter while the
// connection serves the next request with the same RequestCtx reports
// that the request is over rather than going anywhere.
func TestSessionWriterEndsWithRequest(t *testing.T) {
	m, _ := newManager(t, sessions.Options{})
	var kept *sessions.Session // the server's goroutine for the connection only
	lateErr := make(chan error, 1)
	base, _ := serve(t, sessionfasthttp.Middleware(m)(func(ctx *fasthttp.RequestCtx) {
		switch string(ctx.Path()) {
		case "/keep":
			kept = sessionfasthttp.Session(m, ctx)
			ctx.WriteString("kept")
		case "/next":
			_, err := kept.ResponseWriter().Write([]byte("late"))
			lateErr <- err
			ctx.WriteString("next")
		}
	}))
	got := keepAlive(t, base,
		"GET /keep HTTP/1.1\r\nHost: example.com\r\n\r\n",
		"GET /next HTTP/1.1\r\nHost: example.com\r\n\r\n")
	if got[1] != "200 next" {
		t.Errorf("next request: %q, want 200 next", got[1])
	}
	if err := <-lateErr; err == nil {
		t.Error("a write through the kept session's writer during the next request succeeded, want an error: the request is over")
	}
}

// TestRequestBodyEndsWithRequest checks that the *http.Request the core
// hands to a hook (here the CSRF failure handler) reads none of the next
// request's body once its own request is over: its form body was ctx's,
// and fasthttp serves the connection's next request with the same ctx.
func TestRequestBodyEndsWithRequest(t *testing.T) {
	var kept *http.Request // the server's goroutine for the connection only
	m, _ := newManager(t, sessions.Options{CSRF: sessions.CSRFOptions{
		ExemptPatterns: []string{"POST /next"},
		FailureHandler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			kept = r
			http.Error(w, "refused", http.StatusForbidden)
		}),
	}})
	late := make(chan []byte, 1)
	base, _ := serve(t, sessionfasthttp.Middleware(m)(func(ctx *fasthttp.RequestCtx) {
		if string(ctx.Path()) == "/next" {
			if kept == nil {
				late <- []byte("(the failure handler did not run)")
			} else {
				b, _ := io.ReadAll(kept.Body)
				late <- b
			}
		}
		ctx.WriteString("ok")
	}))
	// A cross-site POST is refused before the form is read.
	post := func(path, body string, hdr string) string {
		return "POST " + path + " HTTP/1.1\r\nHost: example.com\r\nContent-Type: application/x-www-form-urlencoded\r\n" +
			hdr + fmt.Sprintf("Content-Length: %d\r\n\r\n", len(body)) + body
	}
	got := keepAlive(t, base,
		post("/form", "a=1", "Sec-Fetch-Site: cross-site\r\n"),
		post("/next", "secret=other-request", ""))
	if !strings.HasPrefix(got[0], "403") || got[1] != "200 ok" {
		t.Fatalf("responses %q, want a 403 refusal and 200 ok", got)
	}
	if b := <-late; len(b) != 0 {
		t.Errorf("the refused request's body, read after it ended, gave the next request's: %q", b)
	}
}
