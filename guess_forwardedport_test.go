package sessions_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestGuessingForwardedForWithPort checks that a client named by a trusted
// proxy's X-Forwarded-For entry is counted by its address whether or not
// the proxy writes the source port with it, as Azure Application Gateway
// does ("203.0.113.5:50123", "[2001:db8::5]:50123"). Every new connection
// has a new port: counted per address and port, a guesser never reaches
// the threshold and BlockCreation never applies. A trusted proxy that
// connects from an IPv6 link-local address, which the peer address
// carries with its zone ("[fe80::1%eth0]:443"), is a trusted proxy too.
func TestGuessingForwardedForWithPort(t *testing.T) {
	for _, tc := range []struct {
		name    string
		proxies string // the trusted network
		peer    string // the proxy's address as net/http reports it
		client  func(i int) string
		want    string
	}{
		{"IPv4 with port", "192.0.2.0/24", "", func(i int) string { return "203.0.113.5:" + strconv.Itoa(50000+i) }, "203.0.113.5"},
		{"IPv6 with port", "192.0.2.0/24", "", func(i int) string { return "[2001:db8:1:2::5]:" + strconv.Itoa(50000+i) }, "2001:db8:1:2::5"},
		{"IPv6 in brackets, other addresses of one /64", "192.0.2.0/24", "", func(i int) string { return "[2001:db8:1:2::" + strconv.Itoa(i+1) + "]" }, ""},
		{"proxy on a link-local address with a zone", "fe80::/64", "[fe80::1%eth0]:443", func(int) string { return "203.0.113.5" }, "203.0.113.5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, proxies, err := net.ParseCIDR(tc.proxies)
			if err != nil {
				t.Fatal(err)
			}
			var mu sync.Mutex
			var hits []sessions.Event
			m, _ := newTestManager(t, sessions.Options{
				Logger:   slog.New(slog.DiscardHandler),
				Guessing: sessions.GuessingOptions{Threshold: 3, BlockCreation: true, TrustedProxies: []*net.IPNet{proxies}},
				OnEvent: func(_ context.Context, e sessions.Event) {
					if e.Kind == sessions.EventGuessing {
						mu.Lock()
						hits = append(hits, e)
						mu.Unlock()
					}
				},
			})
			h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				s := m.Start(w, r)
				if r.URL.Path == "/set" {
					s.Set("k", "v")
				} else {
					s.Get("k")
				}
			}))
			send := func(path, id, xff string) *httptest.ResponseRecorder {
				r := httptest.NewRequest(http.MethodGet, path, nil)
				r.Header.Set("X-Forwarded-For", "10.0.0.1, "+xff)
				if tc.peer != "" {
					r.RemoteAddr = tc.peer
				}
				if id != "" {
					r.AddCookie(&http.Cookie{Name: m.CookieName(), Value: id})
				}
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				return w
			}
			for i := range 3 {
				send("/", unknownID(t), tc.client(i))
			}
			mu.Lock()
			n := len(hits)
			mu.Unlock()
			if n != 1 {
				t.Fatalf("%d guessing events for 3 unknown IDs from one client (threshold 3), want 1", n)
			}
			if tc.want != "" && hits[0].IP != tc.want {
				t.Errorf("guessing event names %q, want %q", hits[0].IP, tc.want)
			}
			if w := send("/set", "", tc.client(3)); len(w.Result().Cookies()) != 0 {
				t.Error("BlockCreation: the guessing client got a session from a new connection")
			}
			if w := send("/set", "", "198.51.100.7"); len(w.Result().Cookies()) == 0 {
				t.Error("BlockCreation: another client behind the proxy got no session")
			}
		})
	}
}

// unknownID returns a well-formed session ID no store holds.
func unknownID(t *testing.T) string {
	t.Helper()
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}
