package sessionfasthttp_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	sessionfasthttp "github.com/sessionkit/sessions/adapters/fasthttp"
	"github.com/sessionkit/sessions/internal/adaptertest"
	"github.com/valyala/fasthttp"
)

// TestActivityRecordedWhenReadAfterBodyWritten checks that a fasthttp
// handler that writes its body before it first reads the session records
// the session's activity, as under net/http.
func TestActivityRecordedWhenReadAfterBodyWritten(t *testing.T) {
	m, now, _ := adaptertest.ClockedManager(t, sessions.Options{IdleTimeout: 10 * time.Minute})
	base, _ := serve(t, sessionfasthttp.Middleware(m)(routes{
		"/set": func(ctx *fasthttp.RequestCtx, s *sessions.Session) { s.Set("name", "kataras"); ctx.WriteString("set") },
		"/page": func(ctx *fasthttp.RequestCtx, s *sessions.Session) {
			ctx.WriteString("<html>")
			ctx.WriteString(s.GetString("name"))
		},
	}.handler(m)))
	c := newClient(t, base, m, nil)
	c.get("/set")
	for visit := 1; visit <= 4; visit++ {
		now.Add(int64(6 * time.Minute))
		if _, body := c.get("/page"); !strings.HasSuffix(body, "kataras") {
			t.Fatalf("visit %d, 6 minutes after the last: page shows %q, want the session's name", visit, body)
		}
	}
}

// TestTooLargeAnswered413 checks that a request that would take its session
// over Options.MaxSize is answered 413 through the fasthttp bridge, with
// none of the handler's response, and that the event is a too-large
// warning, not a store error.
func TestTooLargeAnswered413(t *testing.T) {
	big := strings.Repeat("v", 200)
	for _, tc := range []struct {
		name string
		h    func(ctx *fasthttp.RequestCtx, s *sessions.Session)
	}{
		{"body", func(ctx *fasthttp.RequestCtx, s *sessions.Session) { s.Set("k", big); ctx.WriteString("stored") }},
		{"nothing written", func(ctx *fasthttp.RequestCtx, s *sessions.Session) { s.Set("k", big) }},
		{"stream", func(ctx *fasthttp.RequestCtx, s *sessions.Session) {
			s.Set("k", big)
			ctx.SetBodyStream(strings.NewReader("stored"), -1)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, _, events := adaptertest.ClockedManager(t, sessions.Options{MaxSize: 100})
			base, _ := serve(t, sessionfasthttp.Middleware(m)(routes{"/big": tc.h}.handler(m)))
			resp, body := newClient(t, base, m, nil).get("/big")
			if resp.StatusCode != http.StatusRequestEntityTooLarge || strings.Contains(body, "stored") {
				t.Errorf("response %d %q, want 413 without the handler's body", resp.StatusCode, body)
			}
			if c := sessionCookie(resp, m.CookieName()); c != nil && c.MaxAge >= 0 {
				t.Errorf("response sets session cookie %q for a session that was not stored", c.Value)
			}
			if got := events(); slices.Contains(got, "store-error") || !slices.Contains(got, "too-large") {
				t.Errorf("events %v, want too-large and no store-error", got)
			}
		})
	}
}

// TestLoginOutlivesSessionExpiredMidRequest checks that through the
// fasthttp bridge, as under net/http, a Login whose session expired while
// the request ran is stored as a new session whose cookie the response
// sets.
func TestLoginOutlivesSessionExpiredMidRequest(t *testing.T) {
	m, now, events := adaptertest.ClockedManager(t, sessions.Options{IdleTimeout: 15 * time.Minute, KeepOnLogin: []string{"cart"}})
	base, _ := serve(t, sessionfasthttp.Middleware(m)(routes{
		"/cart": func(ctx *fasthttp.RequestCtx, s *sessions.Session) { s.Set("cart", "book"); ctx.WriteString("ok") },
		"/login": func(ctx *fasthttp.RequestCtx, s *sessions.Session) {
			s.Get("cart")
			now.Add(int64(2 * time.Minute)) // the password check
			if err := s.Login("alice"); err != nil {
				ctx.Error(err.Error(), fasthttp.StatusInternalServerError)
				return
			}
			ctx.WriteString("ok")
		},
		"/whoami": func(ctx *fasthttp.RequestCtx, s *sessions.Session) {
			ctx.WriteString(s.User() + " " + s.GetString("cart"))
		},
	}.handler(m)))
	c := newClient(t, base, m, nil)
	c.get("/cart")
	before := c.cookie
	if before == nil {
		t.Fatal("GET /cart set no session cookie")
	}
	now.Add(int64(14 * time.Minute))
	events()
	resp, body := c.get("/login")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("login answered %d %q", resp.StatusCode, body)
	}
	if got := sessionCookie(resp, m.CookieName()); got == nil || got.Value == before.Value {
		t.Fatalf("login set cookie %v, want a new session ID", got)
	}
	if got := events(); slices.Contains(got, "lost-write") || !slices.Contains(got, "created") {
		t.Errorf("login events %v, want a created session and no lost write", got)
	}
	if _, body := c.get("/whoami"); body != "alice book" {
		t.Errorf("after login the session holds %q, want %q", body, "alice book")
	}
}

// TestSlowRequestKeepsLaterActivity checks that through the fasthttp
// bridge, whose commit runs once the handler has returned, a slow request
// records its activity as of its commit, as under net/http: a request that
// ran meanwhile recorded later activity, which must not be moved back.
func TestSlowRequestKeepsLaterActivity(t *testing.T) {
	for _, tc := range []struct {
		name string
		slow func(s *sessions.Session)
	}{
		{"reads", func(s *sessions.Session) { s.Get("name") }},
		{"writes", func(s *sessions.Session) { s.Set("upload", "done") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, now, _ := adaptertest.ClockedManager(t, sessions.Options{IdleTimeout: 30 * time.Minute})
			loaded, release := make(chan struct{}), make(chan struct{})
			base, _ := serve(t, sessionfasthttp.Middleware(m)(routes{
				"/set": func(ctx *fasthttp.RequestCtx, s *sessions.Session) { s.Set("name", "kataras") },
				"/slow": func(ctx *fasthttp.RequestCtx, s *sessions.Session) {
					tc.slow(s)
					close(loaded)
					<-release
				},
				"/get": func(ctx *fasthttp.RequestCtx, s *sessions.Session) { ctx.WriteString(s.GetString("name")) },
			}.handler(m)))
			c := newClient(t, base, m, nil)
			c.get("/set")
			slow := newClient(t, base, m, nil)
			slow.cookie = c.cookie

			now.Add(int64(5 * time.Minute))
			done := make(chan struct{})
			go func() {
				defer close(done)
				slow.get("/slow")
			}()
			<-loaded
			now.Add(int64(20 * time.Minute))
			if _, got := c.get("/get"); got != "kataras" {
				t.Fatalf("during the slow request the session holds %q, want kataras", got)
			}
			close(release)
			<-done
			now.Add(int64(20 * time.Minute))
			if _, got := c.get("/get"); got != "kataras" {
				t.Errorf("20 minutes after the last request (idle timeout 30) the session holds %q, want kataras", got)
			}
		})
	}
}
