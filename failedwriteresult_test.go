package sessions_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestFailedCommitWritesReportSuccess checks what the writer's methods
// return once the commit has failed and the error handler has answered:
// Write, WriteString and ReadFrom discard the handler's body but report it
// written in full, with no error, as an io.Writer must when it returns no
// error (a bufio.Writer or io.Copy over it would otherwise fail with
// io.ErrShortWrite), and ReadFrom reads its source to the end.
func TestFailedCommitWritesReportSuccess(t *testing.T) {
	const body = "the handler's body"
	for _, tc := range []struct {
		name  string
		write func(w http.ResponseWriter) (n int64, unread int, err error)
	}{
		{"Write", func(w http.ResponseWriter) (int64, int, error) {
			n, err := w.Write([]byte(body))
			return int64(n), 0, err
		}},
		{"WriteString", func(w http.ResponseWriter) (int64, int, error) {
			n, err := io.WriteString(w, body)
			return int64(n), 0, err
		}},
		{"ReadFrom", func(w http.ResponseWriter) (int64, int, error) {
			rf, ok := w.(io.ReaderFrom)
			if !ok {
				return 0, 0, errors.New("the writer is no io.ReaderFrom")
			}
			src := strings.NewReader(body)
			n, err := rf.ReadFrom(struct{ io.Reader }{src})
			return n, src.Len(), err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, id := commitFailing(t)
			var (
				n      int64
				err    error
				unread int
			)
			rec := httptest.NewRecorder()
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req.AddCookie(&http.Cookie{Name: m.CookieName(), Value: id})
			m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				m.Start(w, r).Set("k", "v")
				n, unread, err = tc.write(w) // the commit fails here
			})).ServeHTTP(rec, req)
			if rec.Code != http.StatusServiceUnavailable || strings.Contains(rec.Body.String(), body) {
				t.Fatalf("%d %q, want the error handler's 503 without the handler's body", rec.Code, rec.Body)
			}
			if n != int64(len(body)) || err != nil {
				t.Errorf("%s after the failed commit = %d, %v; want %d, nil", tc.name, n, err, len(body))
			}
			if unread != 0 {
				t.Errorf("ReadFrom left %d bytes of its source unread", unread)
			}
		})
	}
}
