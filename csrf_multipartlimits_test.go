package sessions_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestCSRFMultipartTokenFound checks that the CSRF check finds the
// csrf_token field of a multipart body wherever the documentation says it
// may be: after other parts, as long as it starts within the body's first
// 10 MB, after fields of other names, and in a form an outer middleware parsed before Handler (its
// body read already), which the check uses as it is.
func TestCSRFMultipartTokenFound(t *testing.T) {
	m, _ := newTestManager(t, sessions.Options{})
	id, token := sessionAndToken(t, m)
	parsedForm := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if err := r.ParseMultipartForm(1 << 20); err != nil {
				t.Errorf("ParseMultipartForm: %v", err)
			}
			next.ServeHTTP(w, r)
		})
	}
	for _, tc := range []struct {
		name  string
		outer func(http.Handler) http.Handler
		body  func() (contentType string, body io.Reader)
	}{
		{"field after a part of almost 10 MB", nil, func() (string, io.Reader) {
			return multipartFileFirst(token, 10<<20-1<<10)
		}},
		{"field after other fields", nil, func() (string, io.Reader) {
			return multipartFields("title", "hello", "comment", "hi", "csrf_token", token)
		}},
		{"form parsed by an outer middleware", parsedForm, func() (string, io.Reader) {
			return multipartFields("csrf_token", token)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var h http.Handler = m.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
			if tc.outer != nil {
				h = tc.outer(h)
			}
			ct, body := tc.body()
			r := httptest.NewRequest(http.MethodPost, "/upload", body)
			r.Header.Set("Content-Type", ct)
			r.AddCookie(&http.Cookie{Name: m.CookieName(), Value: id})
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if r.MultipartForm != nil {
				r.MultipartForm.RemoveAll()
			}
			if w.Code != http.StatusOK {
				t.Errorf("POST with the right token in the form: status %d, want 200", w.Code)
			}
		})
	}
}

// multipartFields returns a multipart/form-data body with the fields of
// nameValues, a name followed by its value, in that order.
func multipartFields(nameValues ...string) (contentType string, body io.Reader) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for i := 0; i+1 < len(nameValues); i += 2 {
		mw.WriteField(nameValues[i], nameValues[i+1])
	}
	mw.Close()
	return mw.FormDataContentType(), &b
}
