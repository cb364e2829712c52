package sessions_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
)

// TestBindMismatchIsLogged: BindLog, the default policy, "emits
// EventBindMismatch and keeps the session", and Options.Logger "receives
// store errors and security anomalies". A client presenting a session
// bound to another client (a stolen cookie, most likely) must leave a log
// record, naming the session by its handle and never by its ID, even when
// no OnEvent hook is set: otherwise the default policy, the one named for
// logging, does nothing at all.
func TestBindMismatchIsLogged(t *testing.T) {
	for _, policy := range []sessions.BindPolicy{sessions.BindLog, sessions.BindDestroy} {
		t.Run(map[sessions.BindPolicy]string{sessions.BindLog: "BindLog", sessions.BindDestroy: "BindDestroy"}[policy], func(t *testing.T) {
			mem := memory.New(memory.Options{})
			t.Cleanup(func() { mem.Close() })
			var logs bytes.Buffer
			m, err := sessions.NewManager(mem, sessions.Options{
				Bind:       sessions.BindUserAgent,
				BindPolicy: policy,
				Logger:     slog.New(slog.NewTextHandler(&logs, nil)),
			})
			if err != nil {
				t.Fatal(err)
			}
			h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				s := m.Start(w, r)
				if r.URL.Path == "/login" {
					if err := s.Login("alice"); err != nil {
						t.Error(err)
					}
					return
				}
				s.User()
			}))
			send := func(path, ua string, c *http.Cookie) *httptest.ResponseRecorder {
				r := httptest.NewRequest(http.MethodGet, path, nil)
				r.Header.Set("User-Agent", ua)
				if c != nil {
					r.AddCookie(c)
				}
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				return w
			}
			cookies := send("/login", "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", nil).Result().Cookies()
			if len(cookies) != 1 {
				t.Fatalf("login set %d cookies, want 1", len(cookies))
			}
			id := cookies[0].Value
			logs.Reset()
			send("/", "curl/8.5.0", cookies[0])

			out := logs.String()
			if !strings.Contains(out, "binding-mismatch") || !strings.Contains(out, sessions.KeyOf(id)[:16]) {
				t.Errorf("a binding mismatch left no log record naming the session's handle %s:\n%s", sessions.KeyOf(id)[:16], out)
			}
			if strings.Contains(out, id) {
				t.Errorf("the log shows the raw session ID:\n%s", out)
			}
		})
	}
}
