package sessiongin_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/sessionkit/sessions"
	sessiongin "github.com/sessionkit/sessions/adapters/gin"
	"github.com/sessionkit/sessions/internal/adaptertest"
)

// TestActivityRecordedWhenReadAfterBodyWritten checks that a gin handler
// that writes its response before it first reads the session records the
// session's activity, as under net/http: a user who only visits such pages
// is not logged out after the idle timeout.
func TestActivityRecordedWhenReadAfterBodyWritten(t *testing.T) {
	for _, tc := range []struct {
		name  string
		start func(c *gin.Context)
	}{
		{"String", func(c *gin.Context) { c.String(http.StatusOK, "<html>") }},
		{"WriteHeaderNow", func(c *gin.Context) { c.Status(http.StatusOK); c.Writer.WriteHeaderNow() }},
		{"Flush", func(c *gin.Context) { c.Writer.Flush() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, now, _ := adaptertest.ClockedManager(t, sessions.Options{IdleTimeout: 10 * time.Minute})
			r := gin.New()
			r.Use(sessiongin.Middleware(m))
			r.GET("/set", func(c *gin.Context) {
				sessiongin.Session(m, c).Set("name", "kataras")
				c.String(http.StatusOK, "set")
			})
			r.GET("/page", func(c *gin.Context) {
				tc.start(c)
				c.Writer.WriteString(sessiongin.Session(m, c).GetString("name"))
			})
			srv := serve(t, r)
			resp, _ := do(t, srv, "GET", "/set", request{})
			cookie := mustCookie(t, resp, m)
			for visit := 1; visit <= 4; visit++ {
				now.Add(int64(6 * time.Minute))
				if _, body := do(t, srv, "GET", "/page", request{Cookie: cookie}); !strings.HasSuffix(body, "kataras") {
					t.Fatalf("visit %d, 6 minutes after the last: page shows %q, want the session's name", visit, body)
				}
			}
		})
	}
}

// TestTooLargeAnswered413 checks that a request that would take its session
// over Options.MaxSize is answered 413 through gin, however the handler
// ends (a response written, a status only, nothing written), that none of
// the handler's response goes out, and that the event is a too-large
// warning, not a store error.
func TestTooLargeAnswered413(t *testing.T) {
	big := strings.Repeat("v", 200)
	for _, tc := range []struct {
		name string
		h    func(c *gin.Context, s *sessions.Session)
	}{
		{"String", func(c *gin.Context, s *sessions.Session) { s.Set("k", big); c.String(http.StatusOK, "stored") }},
		{"JSON", func(c *gin.Context, s *sessions.Session) { s.Set("k", big); c.JSON(http.StatusCreated, "stored") }},
		{"Status", func(c *gin.Context, s *sessions.Session) { s.Set("k", big); c.Status(http.StatusNoContent) }},
		{"nothing written", func(c *gin.Context, s *sessions.Session) { s.Set("k", big) }},
		{"Save error answered", func(c *gin.Context, s *sessions.Session) {
			s.Set("k", big)
			if err := s.Save(); err != nil {
				c.AbortWithError(http.StatusInternalServerError, err)
				return
			}
			c.String(http.StatusOK, "stored")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, _, events := adaptertest.ClockedManager(t, sessions.Options{MaxSize: 100})
			r := gin.New()
			r.Use(sessiongin.Middleware(m))
			r.GET("/big", func(c *gin.Context) { tc.h(c, sessiongin.Session(m, c)) })
			srv := serve(t, r)
			resp, body := do(t, srv, "GET", "/big", request{})
			if resp.StatusCode != http.StatusRequestEntityTooLarge || strings.Contains(body, "stored") {
				t.Errorf("response %d %q, want 413 without the handler's body", resp.StatusCode, body)
			}
			if c := sessionCookie(resp, m); c != nil && c.MaxAge >= 0 {
				t.Errorf("response sets session cookie %q for a session that was not stored", c.Value)
			}
			if got := events(); slices.Contains(got, "store-error") || !slices.Contains(got, "too-large") {
				t.Errorf("events %v, want too-large and no store-error", got)
			}
		})
	}
}

// TestLoginOutlivesSessionExpiredMidRequest checks that through gin, as
// under net/http, a Login whose session expired while the request ran is
// stored as a new session whose cookie the response sets.
func TestLoginOutlivesSessionExpiredMidRequest(t *testing.T) {
	m, now, events := adaptertest.ClockedManager(t, sessions.Options{IdleTimeout: 15 * time.Minute, KeepOnLogin: []string{"cart"}})
	r := gin.New()
	r.Use(sessiongin.Middleware(m))
	r.GET("/cart", func(c *gin.Context) {
		sessiongin.Session(m, c).Set("cart", "book")
		c.String(http.StatusOK, "ok")
	})
	r.GET("/login", func(c *gin.Context) {
		s := sessiongin.Session(m, c)
		s.Get("cart")
		now.Add(int64(2 * time.Minute)) // the password check
		if err := s.Login("alice"); err != nil {
			c.String(http.StatusInternalServerError, err.Error())
			return
		}
		c.String(http.StatusOK, "ok")
	})
	r.GET("/whoami", func(c *gin.Context) {
		s := sessiongin.Session(m, c)
		c.String(http.StatusOK, s.User()+" "+s.GetString("cart"))
	})
	srv := serve(t, r)
	resp, _ := do(t, srv, "GET", "/cart", request{})
	cookie := mustCookie(t, resp, m)
	now.Add(int64(14 * time.Minute))
	events()
	resp, body := do(t, srv, "GET", "/login", request{Cookie: cookie})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("login answered %d %q", resp.StatusCode, body)
	}
	c := mustCookie(t, resp, m)
	if c.Value == cookie.Value {
		t.Fatalf("login kept the cookie %q, want a new session ID", c.Value)
	}
	if got := events(); slices.Contains(got, "lost-write") || !slices.Contains(got, "created") {
		t.Errorf("login events %v, want a created session and no lost write", got)
	}
	if _, body := do(t, srv, "GET", "/whoami", request{Cookie: c}); body != "alice book" {
		t.Errorf("after login the session holds %q, want %q", body, "alice book")
	}
}
