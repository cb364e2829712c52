package sessions_test

import (
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
)

// TestInvalidStatusCodeDoesNotCommit checks that WriteHeader with a code
// net/http refuses (it panics with "invalid WriteHeader code") reaches
// net/http as it does without the middleware, and commits nothing first:
// no response goes out, so no session may be stored for it.
func TestInvalidStatusCodeDoesNotCommit(t *testing.T) {
	for _, code := range []int{0, 99, 1000, -1} {
		t.Run(strconv.Itoa(code), func(t *testing.T) {
			mem := memory.New(memory.Options{})
			t.Cleanup(func() { mem.Close() })
			m, err := sessions.NewManager(mem, sessions.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { m.Close() })
			panicked := make(chan any, 1)
			srv := httptest.NewUnstartedServer(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				defer func() {
					p := recover()
					panicked <- p
					panic(p)
				}()
				m.Start(w, r).Set("cart", 3)
				w.WriteHeader(code)
			})))
			srv.Config.ErrorLog = log.New(io.Discard, "", 0)
			srv.Start()
			t.Cleanup(srv.Close)

			res, err := srv.Client().Get(srv.URL)
			if err == nil {
				res.Body.Close()
				t.Errorf("got a response, status %d, want the connection dropped by net/http's panic", res.StatusCode)
			}
			if p := <-panicked; p == nil {
				t.Errorf("WriteHeader(%d) did not panic", code)
			}
			if n := mem.Len(); n != 0 {
				t.Errorf("the store holds %d sessions, want none: the session was committed for a response that never went out", n)
			}
		})
	}
}
