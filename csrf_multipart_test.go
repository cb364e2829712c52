package sessions_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sessionkit/sessions"
)

type zeroes struct{}

func (zeroes) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// multipartWithFile returns a multipart/form-data body with the field
// csrf_token=token and a file part of size bytes, streamed.
func multipartWithFile(token string, size int64) (contentType string, body io.Reader) {
	const boundary = "b0undary"
	head := "--" + boundary + "\r\n" +
		"Content-Disposition: form-data; name=\"csrf_token\"\r\n\r\n" + token + "\r\n" +
		"--" + boundary + "\r\n" +
		"Content-Disposition: form-data; name=\"upload\"; filename=\"big.bin\"\r\n" +
		"Content-Type: application/octet-stream\r\n\r\n"
	tail := "\r\n--" + boundary + "--\r\n"
	return "multipart/form-data; boundary=" + boundary,
		io.MultiReader(strings.NewReader(head), io.LimitReader(zeroes{}, size), strings.NewReader(tail))
}

// TestCSRFMultipartTempFilesRemoved checks that a multipart upload the CSRF
// check parses to find the csrf_token field leaves no temporary files
// behind once the request is over, whether the check refuses the request
// or passes it. net/http removes the temporary files of the form it finds
// on the request it handed to the handler chain; the check must not parse
// the form somewhere net/http's cleanup does not look.
func TestCSRFMultipartTempFilesRemoved(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)

	m, _ := newTestManager(t, sessions.Options{})
	var token string
	id := ""
	{
		res := do(t, m, "", func(s *sessions.Session) { token = s.CSRFToken() })
		for _, c := range res.Cookies() {
			if c.Name == m.CookieName() {
				id = c.Value
			}
		}
		if id == "" || token == "" {
			t.Fatal("no session or token")
		}
	}
	srv := httptest.NewServer(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The handler uses the form the check parsed and does nothing else.
		if f, _, err := r.FormFile("upload"); err == nil {
			f.Close()
		}
	})))

	// Past the 32 MB ParseMultipartForm keeps in memory: the file part
	// goes to a temporary file.
	const size = 32<<20 + 1
	for _, tc := range []struct {
		name  string
		token string
		want  int
	}{
		{"refused: wrong token", strings.Repeat("A", len(token)), http.StatusForbidden},
		{"passed: right token", token, http.StatusOK},
	} {
		ct, body := multipartWithFile(tc.token, size)
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/upload", body)
		req.Header.Set("Content-Type", ct)
		req.AddCookie(&http.Cookie{Name: m.CookieName(), Value: id})
		res, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != tc.want {
			t.Fatalf("%s: status %d, want %d", tc.name, res.StatusCode, tc.want)
		}
	}
	srv.Close() // every request is over, net/http's cleanup included

	left, _ := filepath.Glob(filepath.Join(tmp, "multipart-*"))
	for _, f := range left {
		fi, _ := os.Stat(f)
		t.Errorf("temporary upload file left behind: %s (%d bytes)", filepath.Base(f), fi.Size())
	}
}
