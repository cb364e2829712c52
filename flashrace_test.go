package sessions_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestFlashesSurviveParallelRequests runs a request that adds or reads
// flash messages while a parallel request, which loaded the session after
// it and committed before it, adds another. No message may be lost, and a
// message read once must not come back.
func TestFlashesSurviveParallelRequests(t *testing.T) {
	for _, tc := range []struct {
		name string
		// slow is what the slow request does with its session before and
		// after the fast request runs; it returns the flashes it read.
		slow func(s *sessions.Session) []string
		// wantSlow is what the slow request read; want is what a request
		// after both reads.
		wantSlow, want []string
	}{
		{
			name:     "two adds",
			slow:     func(s *sessions.Session) []string { s.AddFlash("slow"); return nil },
			wantSlow: nil,
			want:     []string{"queued", "slow", "fast"},
		},
		{
			name:     "read while another adds",
			slow:     func(s *sessions.Session) []string { return s.Flashes() },
			wantSlow: []string{"queued"},
			want:     []string{"fast"},
		},
		{
			name: "read and add while another adds",
			slow: func(s *sessions.Session) []string {
				f := s.Flashes()
				s.AddFlash("slow")
				return f
			},
			wantSlow: []string{"queued"},
			want:     []string{"slow", "fast"},
		},
	} {
		for _, wrap := range []struct {
			name string
			wrap func(*sessions.Manager, http.Handler) http.Handler
		}{
			{"middleware", func(m *sessions.Manager, h http.Handler) http.Handler { return m.Handler(h) }},
			{"write-through", func(_ *sessions.Manager, h http.Handler) http.Handler { return h }},
		} {
			t.Run(tc.name+"/"+wrap.name, func(t *testing.T) {
				m, _, _ := newClockedManager(t, sessions.Options{})
				var h http.Handler
				var cookie *http.Cookie
				var slowRead []string
				h = wrap.wrap(m, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					s := m.Start(w, r)
					switch r.URL.Path {
					case "/new":
						s.Set("x", 1)
						s.AddFlash("queued")
					case "/fast":
						s.AddFlash("fast")
					case "/slow":
						s.Get("x") // loaded before /fast commits
						slowRead = tc.slow(s)
						if res := serveCookie(h, "/fast", cookie); res.Code != http.StatusOK {
							t.Errorf("/fast: status %d", res.Code)
						}
					default:
						w.Write([]byte(strings.Join(s.Flashes(), ",")))
					}
				}))
				res := serveCookie(h, "/new", nil).Result()
				if len(res.Cookies()) != 1 {
					t.Fatalf("/new set %d cookies, want 1", len(res.Cookies()))
				}
				cookie = res.Cookies()[0]
				serveCookie(h, "/slow", cookie)
				if !slices.Equal(slowRead, tc.wantSlow) {
					t.Errorf("the slow request read the flashes %q, want %q", slowRead, tc.wantSlow)
				}
				if got, want := serveCookie(h, "/read", cookie).Body.String(), strings.Join(tc.want, ","); got != want {
					t.Errorf("after both requests Flashes = %q, want %q", got, want)
				}
				if got := serveCookie(h, "/read", cookie).Body.String(); got != "" {
					t.Errorf("Flashes after they were read = %q, want none", got)
				}
			})
		}
	}
}
