package sessions_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// TestLateDestroyLeavesFinishedResponseAlone ends a session from a
// goroutine of the request after the handler has returned (a logout
// decided in the background once the answer is out). The response can no
// longer carry a cookie, so Destroy must only delete the record: it must
// not reach for the finished response's headers, which net/http's HTTP/2
// writer refuses with a panic ("Header called after Handler finished")
// that, in a goroutine, kills the whole server.
func TestLateDestroyLeavesFinishedResponseAlone(t *testing.T) {
	m, _ := newTestManager(t, sessions.Options{})
	id := seedSession(t, m)

	release := make(chan struct{})
	result := make(chan any, 1)
	handlerDone := make(chan struct{})
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := m.Start(w, r)
		if s.GetString("name") == "" {
			t.Error("the seeded session was not loaded")
		}
		io.WriteString(w, "ok")
		go func() {
			<-release
			defer func() { result <- recover() }()
			s.Destroy()
		}()
	}))
	resp, body := getHTTP2(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r)
		close(handlerDone)
	}), m, id)
	if resp.ProtoMajor != 2 || body != "ok" {
		t.Fatalf("%s %d %q, want HTTP/2 200 ok", resp.Proto, resp.StatusCode, body)
	}
	<-handlerDone
	// net/http releases the stream's writer right after the handler
	// returns; give it ample time to.
	time.Sleep(100 * time.Millisecond)
	close(release)
	select {
	case p := <-result:
		if p != nil {
			t.Errorf("Destroy after the handler returned panicked: %v", fmt.Sprint(p))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Destroy did not return")
	}

	// The logout itself must have reached the store.
	var name string
	do(t, m, id, func(s *sessions.Session) { name = s.GetString("name") })
	if name != "" {
		t.Errorf("after the late Destroy the old cookie still reads name=%q", name)
	}
}

// TestLateDestroyRacesNoHandlerHeader is the HTTP/1 side of
// TestLateDestroyLeavesFinishedResponseAlone: a goroutine of the request
// ends the session while the handler, whose response has started, goes on
// using its own header (a trailer). Destroy must not write that header
// map behind the handler's back; under -race the race detector reports
// it, and without it the two map writes can crash the process with
// "concurrent map writes". Run with -race.
func TestLateDestroyRacesNoHandlerHeader(t *testing.T) {
	m, _ := newTestManager(t, sessions.Options{})
	id := seedSession(t, m)
	destroyed := make(chan struct{})
	srv := httptest.NewServer(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := m.Start(w, r)
		_ = s.GetString("name")
		io.WriteString(w, strings.Repeat("x", 8192))
		http.NewResponseController(w).Flush()
		go func() {
			defer close(destroyed)
			s.Destroy()
		}()
		time.Sleep(50 * time.Millisecond) // no synchronisation with the goroutine, as in a real handler
		w.Header().Set(http.TrailerPrefix+"X-Done", "1")
	})))
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL, nil)
	req.AddCookie(&http.Cookie{Name: m.CookieName(), Value: id})
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	<-destroyed
	var name string
	do(t, m, id, func(s *sessions.Session) { name = s.GetString("name") })
	if name != "" {
		t.Errorf("after the late Destroy the old cookie still reads name=%q", name)
	}
}
