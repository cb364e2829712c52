package sessions_test

import (
	"context"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/internal/syncbuf"
)

// panickingEventSink is an Options.OnEvent that panics on EventCreated.
func panickingEventSink(_ context.Context, e sessions.Event) {
	if e.Kind == sessions.EventCreated {
		panic("event sink failed")
	}
}

// TestOnEventPanicKeepsItsStack checks that an Options.OnEvent that panics
// during the middleware's commit panics on from where it panicked: the
// panic is not recovered and raised again (as a store's is, to answer the
// request first), so the stack net/http logs with it names the OnEvent
// function, the code to fix.
func TestOnEventPanicKeepsItsStack(t *testing.T) {
	m, _ := newTestManager(t, sessions.Options{OnEvent: panickingEventSink})
	var logged syncbuf.Buffer
	srv := httptest.NewUnstartedServer(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.Start(w, r).Set("k", "v")
		w.Write([]byte("ok")) // the commit, and EventCreated, happen here
	})))
	srv.Config.ErrorLog = log.New(&logged, "", 0)
	srv.Start()
	if resp, err := srv.Client().Get(srv.URL); err == nil {
		resp.Body.Close()
	}
	srv.Close() // every request is over, its panic logged
	out := logged.String()
	if !strings.Contains(out, "event sink failed") {
		t.Fatalf("net/http logged no panic:\n%s", out)
	}
	if !strings.Contains(out, "panickingEventSink") {
		t.Errorf("the stack net/http logged with the panic does not name the OnEvent function that panicked:\n%s", out)
	}
}
