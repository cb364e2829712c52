package sessionfasthttp_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	sessionfasthttp "github.com/sessionkit/sessions/adapters/fasthttp"
	"github.com/sessionkit/sessions/internal/adaptertest"
	"github.com/valyala/fasthttp"
)

// TestTimeoutAnswerCarriesCommittedCookie checks that when a timeout
// handler inside the middleware answers a slow request, the session the
// request started is stored together with a timeout answer that carries
// its cookie, as under Manager.Handler, where http.TimeoutHandler's 503
// goes out through the session's writer, Set-Cookie included. fasthttp
// sends the timeout response (408) instead of ctx.Response, where the
// session's headers went: a session stored with no cookie naming it is
// lost to the client (after a Login, the client is logged out).
func TestTimeoutAnswerCarriesCommittedCookie(t *testing.T) {
	const timeout, slow = 50 * time.Millisecond, 300 * time.Millisecond
	type answer struct {
		status    int
		cookie    bool
		storeCall bool
	}
	var got [2]answer
	for i, side := range []string{"core", "fasthttp"} {
		m, st := adaptertest.NewManager(t, sessions.Options{})
		var base string
		if side == "core" {
			app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				m.FromContext(r.Context()).Set("cart", "book")
				time.Sleep(slow)
			})
			srv := httptest.NewServer(m.Handler(http.TimeoutHandler(app, timeout, "timeout")))
			t.Cleanup(srv.Close)
			base = srv.URL
		} else {
			app := func(ctx *fasthttp.RequestCtx) {
				sessionfasthttp.Session(m, ctx).Set("cart", "book")
				time.Sleep(slow)
			}
			base, _ = serve(t, sessionfasthttp.Middleware(m)(fasthttp.TimeoutHandler(app, timeout, "timeout")))
		}
		resp, _ := newClient(t, base, m, nil).get("/")
		time.Sleep(slow) // let the slow handler finish
		got[i] = answer{resp.StatusCode, sessionCookie(resp, m.CookieName()) != nil, st.Writes.Load() > 0}
		t.Logf("%s: status %d, session cookie sent %v, session written to the store %v", side, got[i].status, got[i].cookie, got[i].storeCall)
	}
	if got[1].status != http.StatusRequestTimeout {
		t.Errorf("fasthttp: the client got %d, want the timeout answer (408)", got[1].status)
	}
	if got[1].storeCall && !got[1].cookie {
		t.Errorf("fasthttp: the session was written to the store, but the timeout answer (%d) carries no cookie naming it; core: cookie sent %v with its %d",
			got[1].status, got[0].cookie, got[0].status)
	}
}

// TestTimeoutAnswerAfterFailedCommit checks that when the commit after a
// timed-out handler fails (refused for its size here), the client gets the error handler's answer, as
// under Manager.Handler (where the commit that http.TimeoutHandler's
// answer triggers fails and the error handler answers), not the timeout
// response the failure would otherwise leave in place.
func TestTimeoutAnswerAfterFailedCommit(t *testing.T) {
	const timeout, slow = 50 * time.Millisecond, 300 * time.Millisecond
	m, st := adaptertest.NewManager(t, sessions.Options{MaxSize: 64})
	app := func(ctx *fasthttp.RequestCtx) {
		// Over MaxSize: the commit after the timeout is refused.
		sessionfasthttp.Session(m, ctx).Set("cart", strings.Repeat("book", 100))
		time.Sleep(slow)
	}
	base, _ := serve(t, sessionfasthttp.Middleware(m)(fasthttp.TimeoutHandler(app, timeout, "timeout")))
	resp, body := newClient(t, base, m, nil).get("/")
	time.Sleep(slow)
	if resp.StatusCode != http.StatusRequestEntityTooLarge || sessionCookie(resp, m.CookieName()) != nil || st.Writes.Load() != 0 {
		t.Errorf("commit refused after a timeout: the client got %d %q with session cookie %v (%d store writes), want the error handler's 413, no cookie, nothing stored", resp.StatusCode, body, sessionCookie(resp, m.CookieName()) != nil, st.Writes.Load())
	}
}
