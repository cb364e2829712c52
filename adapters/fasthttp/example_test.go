package sessionfasthttp_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"

	"github.com/sessionkit/sessions"
	sessionfasthttp "github.com/sessionkit/sessions/adapters/fasthttp"
	"github.com/sessionkit/sessions/stores/memory"
	"github.com/valyala/fasthttp"
	"github.com/valyala/fasthttp/fasthttputil"
)

// A fasthttp server counting each visitor's visits. The session is
// committed when the handler returns, before fasthttp writes the response,
// so the first response already carries the cookie.
func Example() {
	store := memory.New(memory.Options{})
	defer store.Close()
	m, err := sessions.NewManager(store, sessions.Options{})
	if err != nil {
		panic(err)
	}

	app := func(ctx *fasthttp.RequestCtx) {
		s := sessionfasthttp.Session(m, ctx)
		n, err := s.Increment("visits", 1)
		if err != nil {
			ctx.Error("try again later", fasthttp.StatusServiceUnavailable)
			return
		}
		fmt.Fprintf(ctx, "visit %d", n)
	}

	// In production: fasthttp.ListenAndServe(":8080", sessionfasthttp.Middleware(m)(app))
	ln := fasthttputil.NewInmemoryListener()
	srv := &fasthttp.Server{Handler: sessionfasthttp.Middleware(m)(app)}
	go srv.Serve(ln)
	defer srv.Shutdown()

	tr := &http.Transport{DialContext: func(context.Context, string, string) (net.Conn, error) { return ln.Dial() }}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}

	var cookie *http.Cookie
	for range 2 {
		req, _ := http.NewRequest("GET", "http://example.test/", nil)
		if cookie != nil {
			req.AddCookie(cookie)
		}
		resp, err := client.Do(req)
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if cs := resp.Cookies(); len(cs) == 1 {
			cookie = cs[0]
			fmt.Println(string(body), "- cookie", cookie.Name, "HttpOnly:", cookie.HttpOnly, "Secure:", cookie.Secure)
		} else {
			fmt.Println(string(body), "- no new cookie")
		}
	}
	// Output:
	// visit 1 - cookie __Host-id HttpOnly: true Secure: true
	// visit 2 - no new cookie
}
