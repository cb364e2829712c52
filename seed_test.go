package sessions_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	_ "github.com/sessionkit/sessions/stores/memory"
)

// seedMux serves the seed document's example on net/http.
func seedMux(sess *sessions.Manager) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /set", func(w http.ResponseWriter, r *http.Request) {
		s := sess.Start(w, r)
		s.Set("name", "kataras")
		fmt.Fprintf(w, "All ok session setted to: %s", s.Get("name"))
	})
	mux.HandleFunc("GET /get", func(w http.ResponseWriter, r *http.Request) {
		name := sess.Start(w, r).GetString("name")
		fmt.Fprintf(w, "The name on the /set was: %s", name)
	})
	mux.HandleFunc("GET /delete", func(w http.ResponseWriter, r *http.Request) {
		sess.Start(w, r).Delete("name")
	})
	mux.HandleFunc("GET /clear", func(w http.ResponseWriter, r *http.Request) {
		sess.Start(w, r).Clear()
	})
	mux.HandleFunc("GET /destroy", func(w http.ResponseWriter, r *http.Request) {
		sess.Destroy(w, r)
	})
	return mux
}

func get(t *testing.T, c *http.Client, u string) (string, *http.Response) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b), resp
}

func TestSeedFlow(t *testing.T) {
	for _, mode := range []string{"write-through", "middleware"} {
		t.Run(mode, func(t *testing.T) {
			sess := sessions.New("memory", "irissessionid", time.Hour)
			t.Cleanup(func() { sess.Close() })
			var h http.Handler = seedMux(sess)
			if mode == "middleware" {
				h = sess.Handler(h)
			}
			srv := httptest.NewTLSServer(h)
			defer srv.Close()
			c := srv.Client()
			c.Jar, _ = cookiejar.New(nil)

			body, resp := get(t, c, srv.URL+"/get")
			if body != "The name on the /set was: " {
				t.Fatalf("/get before /set = %q", body)
			}
			if len(resp.Cookies()) != 0 {
				t.Fatalf("/get with no session set a cookie: %v", resp.Cookies())
			}
			body, resp = get(t, c, srv.URL+"/set")
			if body != "All ok session setted to: kataras" {
				t.Fatalf("/set = %q", body)
			}
			cs := resp.Cookies()
			if len(cs) != 1 || cs[0].Name != "irissessionid" || !cs[0].HttpOnly || !cs[0].Secure || cs[0].SameSite != http.SameSiteLaxMode {
				t.Fatalf("/set cookie = %+v, want one HttpOnly Secure SameSite=Lax irissessionid", cs)
			}
			first := cs[0].Value
			if body, _ = get(t, c, srv.URL+"/get"); body != "The name on the /set was: kataras" {
				t.Fatalf("/get after /set = %q", body)
			}
			get(t, c, srv.URL+"/delete")
			if body, _ = get(t, c, srv.URL+"/get"); body != "The name on the /set was: " {
				t.Fatalf("/get after /delete = %q", body)
			}
			get(t, c, srv.URL+"/set")
			get(t, c, srv.URL+"/clear")
			if body, _ = get(t, c, srv.URL+"/get"); body != "The name on the /set was: " {
				t.Fatalf("/get after /clear = %q", body)
			}
			get(t, c, srv.URL+"/set")
			_, resp = get(t, c, srv.URL+"/destroy")
			cs = resp.Cookies()
			if len(cs) != 1 || cs[0].MaxAge >= 0 && cs[0].Value != "" {
				t.Fatalf("/destroy cookies = %+v, want the cookie expired", cs)
			}
			if body, _ = get(t, c, srv.URL+"/get"); body != "The name on the /set was: " {
				t.Fatalf("/get after /destroy = %q", body)
			}
			// The destroyed ID is dead: replaying it gives nothing.
			req, _ := http.NewRequest("GET", srv.URL+"/get", nil)
			req.AddCookie(&http.Cookie{Name: "irissessionid", Value: first})
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if string(b) != "The name on the /set was: " {
				t.Fatalf("replayed destroyed cookie: %q", b)
			}
			_, resp = get(t, c, srv.URL+"/set")
			if cs = resp.Cookies(); len(cs) != 1 || cs[0].Value == first {
				t.Fatalf("new session after destroy reused the old ID")
			}
			u, _ := url.Parse(srv.URL)
			for _, ck := range c.Jar.Cookies(u) {
				if strings.Contains(ck.Value, "kataras") {
					t.Fatal("value leaked into cookie")
				}
			}
		})
	}
}
