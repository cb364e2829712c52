package sessions_test

import (
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/internal/syncbuf"
	"github.com/sessionkit/sessions/stores/memory"
)

// TestFailedCommitAnswerKeepsItsHeader checks that once the commit has
// failed, the error handler's answer is the response, header and all, and
// nothing the handler does with the writer afterwards changes it:
//
//   - a trailer the error handler sets reaches the client (the handler's
//     own are dropped, see TestFailedCommitDropsHandlerTrailers);
//   - the handler's WriteHeader is not passed on, so net/http logs no
//     superfluous WriteHeader call;
//   - a header the handler sets goes nowhere, even when the handler then
//     panics and a recovering middleware outside Handler answers, so
//     Handler never gets to put the error handler's header back.
func TestFailedCommitAnswerKeepsItsHeader(t *testing.T) {
	t.Run("error handler's trailer", func(t *testing.T) {
		m, id := commitFailingWith(t, func(w http.ResponseWriter, r *http.Request, err error) {
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, "down")
			w.Header().Set(http.TrailerPrefix+"X-Outage", "store")
		})
		resp, body := getHTTP2(t, m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			m.Start(w, r).Set("k", "v")
			io.WriteString(w, "secret body") // the commit fails here
		})), m, id)
		if resp.StatusCode != http.StatusServiceUnavailable || body != "down" {
			t.Fatalf("%d %q, want the error handler's 503 \"down\"", resp.StatusCode, body)
		}
		if v := resp.Trailer.Get("X-Outage"); v != "store" {
			t.Errorf("the error handler's trailer X-Outage = %q, want \"store\"", v)
		}
	})

	t.Run("handler's WriteHeader", func(t *testing.T) {
		m, id := commitFailing(t)
		var logged syncbuf.Buffer
		srv := httptest.NewUnstartedServer(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			m.Start(w, r).Set("k", "v")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusCreated) // the commit fails here
			io.WriteString(w, "{}")
		})))
		srv.Config.ErrorLog = log.New(&logged, "", 0)
		srv.Start()
		resp, _ := getWithSession(t, srv, m, id)
		srv.Close() // every request is over
		if resp.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("status %d, want 503 from the error handler", resp.StatusCode)
		}
		if strings.Contains(logged.String(), "superfluous") {
			t.Errorf("the handler's WriteHeader reached the server after the error handler's answer:\n%s", logged.String())
		}
	})

	t.Run("handler's header, then a panic", func(t *testing.T) {
		m, id := commitFailing(t)
		resp, _ := getHTTP2(t, recover500(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			m.Start(w, r).Set("k", "v")
			io.WriteString(w, "secret body") // the commit fails here
			w.Header().Set(http.TrailerPrefix+"X-Account-Balance", "1234")
			panic("handler bug")
		}))), m, id)
		if resp.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("status %d, want 503 from the error handler", resp.StatusCode)
		}
		if v := resp.Trailer.Get("X-Account-Balance"); v != "" {
			t.Errorf("a header the handler set after the failed commit reached the client: X-Account-Balance: %s", v)
		}
	})
}

// commitFailingWith is commitFailing with errorHandler as
// Options.ErrorHandler.
func commitFailingWith(t *testing.T, errorHandler func(http.ResponseWriter, *http.Request, error)) (*sessions.Manager, string) {
	t.Helper()
	mem := memory.New(memory.Options{})
	t.Cleanup(func() { mem.Close() })
	seeder, err := sessions.NewManager(mem, sessions.Options{})
	if err != nil {
		t.Fatal(err)
	}
	id := seedSession(t, seeder)
	m, err := sessions.NewManager(downCommitStore{mem}, sessions.Options{ErrorHandler: errorHandler})
	if err != nil {
		t.Fatal(err)
	}
	return m, id
}
