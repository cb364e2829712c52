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

// TestOuterMultipartFormKeptForItsOwner checks that Handler removes only
// the temporary files of a multipart form parsed inside it, on the request
// it passes on: a form an outer middleware parsed before Handler belongs
// to that middleware (and to net/http, which removes its files when the
// request is over), so its uploaded files are still there to read once
// Handler returns.
func TestOuterMultipartFormKeptForItsOwner(t *testing.T) {
	m, _ := newTestManager(t, sessions.Options{CSRF: sessions.CSRFOptions{Disable: true}})
	const content = "uploaded file content"
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("upload", "a.txt")
	io.WriteString(fw, content)
	mw.Close()

	var after string
	outer := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// maxMemory 0: the file part goes to a temporary file.
			if err := r.ParseMultipartForm(0); err != nil {
				t.Errorf("ParseMultipartForm: %v", err)
				return
			}
			next.ServeHTTP(w, r)
			f, _, err := r.FormFile("upload")
			if err != nil {
				after = "FormFile: " + err.Error()
				return
			}
			defer f.Close()
			b, _ := io.ReadAll(f)
			after = string(b)
		})
	}
	h := outer(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.Start(w, r).Set("k", "v")
	})))
	r := httptest.NewRequest(http.MethodPost, "/upload", &body)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	h.ServeHTTP(httptest.NewRecorder(), r)
	defer r.MultipartForm.RemoveAll()
	if after != content {
		t.Errorf("the outer middleware's upload after Handler returned: %q, want %q", after, content)
	}
}
