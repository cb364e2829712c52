package sessions_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestCSRFTokenInFilePartRefused checks that the CSRF check reads the
// csrf_token field of a multipart body only from a form value, as
// ParseMultipartForm files the parts: a part named csrf_token that carries
// a file name is an uploaded file, not the field, even when its content is
// the right token.
func TestCSRFTokenInFilePartRefused(t *testing.T) {
	m, _ := newTestManager(t, sessions.Options{})
	id, token := sessionAndToken(t, m)
	const boundary = "b0undary"
	filePart := func(content string) string {
		return "--" + boundary + "\r\n" +
			"Content-Disposition: form-data; name=\"csrf_token\"; filename=\"token.txt\"\r\n" +
			"Content-Type: text/plain\r\n\r\n" + content + "\r\n"
	}
	valuePart := func(content string) string {
		return "--" + boundary + "\r\n" +
			"Content-Disposition: form-data; name=\"csrf_token\"\r\n\r\n" + content + "\r\n"
	}
	end := "--" + boundary + "--\r\n"
	for _, tc := range []struct {
		name string
		body string
		want int
	}{
		{"right token in a file part only", filePart(token) + end, http.StatusForbidden},
		{"right token in a file part, wrong value", filePart(token) + valuePart(strings.Repeat("A", len(token))) + end, http.StatusForbidden},
		{"file part, then the right value", filePart("x") + valuePart(token) + end, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			called := false
			h := m.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { called = true }))
			r := httptest.NewRequest(http.MethodPost, "/upload", strings.NewReader(tc.body))
			r.Header.Set("Content-Type", "multipart/form-data; boundary="+boundary)
			r.AddCookie(&http.Cookie{Name: m.CookieName(), Value: id})
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tc.want || called != (tc.want == http.StatusOK) {
				t.Errorf("status %d, handler called %v; want %d", w.Code, called, tc.want)
			}
		})
	}
}
