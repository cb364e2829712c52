package sessions_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// TestResponseControllerReachesServerWriter checks that what
// http.ResponseController does through the server's writer works through
// the writer Handler gives as well: setting the connection's read and
// write deadlines (a slow upload, a long download) and enabling full
// duplex. The controller finds the server's writer through Unwrap.
func TestResponseControllerReachesServerWriter(t *testing.T) {
	m, _ := newTestManager(t, sessions.Options{})
	errs := make(chan map[string]error, 1)
	srv := httptest.NewServer(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.Start(w, r).Set("k", "v")
		rc := http.NewResponseController(w)
		deadline := time.Now().Add(time.Minute)
		errs <- map[string]error{
			"SetReadDeadline":  rc.SetReadDeadline(deadline),
			"SetWriteDeadline": rc.SetWriteDeadline(deadline),
			"EnableFullDuplex": rc.EnableFullDuplex(),
		}
	})))
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for name, err := range <-errs {
		if err != nil {
			t.Errorf("ResponseController.%s under Handler = %v, want nil as without it", name, err)
		}
	}
	if sessionCookieIn(resp, m) == nil {
		t.Error("no session cookie")
	}
}
