package sessions_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/sessionkit/sessions"
)

// getHTTP2 serves h over HTTP/2 (TLS) and sends it one GET with m's
// session cookie id; it returns the response and its whole body, read
// to the end so that trailers have arrived.
func getHTTP2(t *testing.T, h http.Handler, m *sessions.Manager, id string) (*http.Response, string) {
	t.Helper()
	return getTLS(t, h, m, id, true)
}

// getTLS is getHTTP2 over HTTP/2 when http2 is set, else over HTTP/1.1.
func getTLS(t *testing.T, h http.Handler, m *sessions.Manager, id string, http2 bool) (*http.Response, string) {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.EnableHTTP2 = http2
	srv.StartTLS()
	t.Cleanup(srv.Close)
	req, _ := http.NewRequest("GET", srv.URL, nil)
	req.AddCookie(&http.Cookie{Name: m.CookieName(), Value: id})
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(body)
}
