package sessions_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/sessionkit/sessions"
)

// countingBody is a request body that counts the bytes read from it.
type countingBody struct {
	r io.Reader
	n atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.n.Add(int64(n))
	return n, err
}

// multipartFileFirst returns a multipart/form-data body with a file part
// of size bytes and then, if token is not empty, the csrf_token field.
func multipartFileFirst(token string, size int64) (contentType string, body io.Reader) {
	const boundary = "b0undary"
	head := "--" + boundary + "\r\n" +
		"Content-Disposition: form-data; name=\"upload\"; filename=\"big.bin\"\r\n" +
		"Content-Type: application/octet-stream\r\n\r\n"
	tail := "\r\n--" + boundary + "--\r\n"
	if token != "" {
		tail = "\r\n--" + boundary + "\r\n" +
			"Content-Disposition: form-data; name=\"csrf_token\"\r\n\r\n" + token + tail
	}
	return "multipart/form-data; boundary=" + boundary,
		io.MultiReader(strings.NewReader(head), io.LimitReader(zeroes{}, size), strings.NewReader(tail))
}

// sessionAndToken starts a session with a CSRF secret and returns its ID
// and a token for it.
func sessionAndToken(t *testing.T, m *sessions.Manager) (id, token string) {
	t.Helper()
	res := do(t, m, "", func(s *sessions.Session) { token = s.CSRFToken() })
	for _, c := range res.Cookies() {
		if c.Name == m.CookieName() {
			id = c.Value
		}
	}
	if id == "" || token == "" {
		t.Fatal("no session or token")
	}
	return id, token
}

// TestCSRFMultipartCheckReadsBounded checks that the CSRF check reads a
// bounded prefix of a multipart body when it looks for the csrf_token
// field: a client with a session cannot make the server read (and spool to
// disk) an upload of any size only to be refused, before the handler and
// its own body limits ever run.
func TestCSRFMultipartCheckReadsBounded(t *testing.T) {
	const size = 64 << 20
	const maxRead = 11 << 20 // the 10 MB the check may read, and some slack
	m, _ := newTestManager(t, sessions.Options{})
	id, token := sessionAndToken(t, m)
	wrong := strings.Repeat("A", len(token))
	for _, tc := range []struct {
		name string
		body func() (string, io.Reader)
	}{
		{"wrong token before the file", func() (string, io.Reader) { return multipartWithFile(wrong, size) }},
		{"no token, only a file", func() (string, io.Reader) { return multipartFileFirst("", size) }},
		{"right token after the file", func() (string, io.Reader) { return multipartFileFirst(token, size) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			called := false
			h := m.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { called = true }))
			ct, body := tc.body()
			cb := &countingBody{r: body}
			r := httptest.NewRequest(http.MethodPost, "/upload", cb)
			r.Header.Set("Content-Type", ct)
			r.AddCookie(&http.Cookie{Name: m.CookieName(), Value: id})
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != http.StatusForbidden || called {
				t.Errorf("status %d, handler called %v; want 403 and no call", w.Code, called)
			}
			if n := cb.n.Load(); n > maxRead {
				t.Errorf("the check read %d bytes of a %d-byte upload to refuse it; want at most %d", n, size, maxRead)
			}
		})
	}
}

// TestCSRFMultipartBodyLeftForHandler checks that a multipart request that
// passes the CSRF check on its csrf_token field reaches the handler with
// its body intact: the handler can stream it with MultipartReader, apply
// its own http.MaxBytesReader, or parse it with FormFile.
func TestCSRFMultipartBodyLeftForHandler(t *testing.T) {
	const size = 2 << 20
	m, _ := newTestManager(t, sessions.Options{})
	id, token := sessionAndToken(t, m)
	for _, tc := range []struct {
		name    string
		handler func(w http.ResponseWriter, r *http.Request) error
	}{
		{"MultipartReader streams every part", func(w http.ResponseWriter, r *http.Request) error {
			mr, err := r.MultipartReader()
			if err != nil {
				return err
			}
			var names []string
			var n int64
			for {
				p, err := mr.NextPart()
				if err == io.EOF {
					break
				}
				if err != nil {
					return err
				}
				names = append(names, p.FormName())
				c, _ := io.Copy(io.Discard, p)
				n += c
			}
			if strings.Join(names, ",") != "csrf_token,upload" || n != int64(len(token))+size {
				return errors.New("parts " + strings.Join(names, ",") + " or their sizes differ from those sent")
			}
			return nil
		}},
		{"the handler's MaxBytesReader applies", func(w http.ResponseWriter, r *http.Request) error {
			r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
			var tooLarge *http.MaxBytesError
			if err := r.ParseMultipartForm(1 << 10); !errors.As(err, &tooLarge) {
				return errors.New("ParseMultipartForm over a 1 MB limit: " + errString(err) + ", want *http.MaxBytesError")
			}
			return nil
		}},
		{"FormFile", func(w http.ResponseWriter, r *http.Request) error {
			f, fh, err := r.FormFile("upload")
			if err != nil {
				return err
			}
			f.Close()
			if fh.Size != size || r.PostFormValue("csrf_token") != token {
				return errors.New("the parsed form differs from the one sent")
			}
			return nil
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var herr error
			called := false
			h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				called = true
				herr = tc.handler(w, r)
			}))
			ct, body := multipartWithFile(token, size)
			r := httptest.NewRequest(http.MethodPost, "/upload", body)
			r.Header.Set("Content-Type", ct)
			r.AddCookie(&http.Cookie{Name: m.CookieName(), Value: id})
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if !called {
				t.Fatalf("status %d, handler not called", w.Code)
			}
			if herr != nil {
				t.Error(herr)
			}
		})
	}
}

func errString(err error) string {
	if err == nil {
		return "nil"
	}
	return err.Error()
}
