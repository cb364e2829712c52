package sessions_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestRefusedLoginWrittenAtOnceReported checks a Login refused without the
// middleware (the cookie store refusing a cookie over 4096 bytes): it is
// not kept, Err and Save report it as they report a refused Set, it is one
// EventTooLarge, and later changes are still stored.
func TestRefusedLoginWrittenAtOnceReported(t *testing.T) {
	var ev eventKinds
	m, err := sessions.NewManager(newCookieStore(t), sessions.Options{OnEvent: ev.on})
	if err != nil {
		t.Fatal(err)
	}
	seed := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.Start(w, r).Set("base", "kept")
	}))
	c := serveCookie(seed, "https://example.com/", nil).Result().Cookies()[0]
	ev.reset()

	r := httptest.NewRequest("GET", "https://example.com/", nil)
	r.AddCookie(c)
	w := httptest.NewRecorder()
	s := m.Start(w, r)
	if err := s.Login(strings.Repeat("u", 5000)); !errors.Is(err, sessions.ErrTooLarge) {
		t.Fatalf("Login of a 5000-byte user = %v, want ErrTooLarge", err)
	}
	if u := s.User(); u != "" {
		t.Errorf("User after the refused Login = %q, want none", u)
	}
	if err := s.Err(); !errors.Is(err, sessions.ErrTooLarge) {
		t.Errorf("Err after the refused Login = %v, want the refusal", err)
	}
	if err := s.Save(); !errors.Is(err, sessions.ErrTooLarge) {
		t.Errorf("Save after the refused Login = %v, want the refusal", err)
	}
	if n := ev.count(sessions.EventTooLarge); n != 1 {
		t.Errorf("%d EventTooLarge for the refused Login, want 1 (events %v)", n, ev.kinds)
	}
	s.Set("after", "stored")
	cs := w.Result().Cookies()
	if len(cs) == 0 {
		t.Fatal("no cookie for the change after the refused Login")
	}
	next := httptest.NewRequest("GET", "https://example.com/", nil)
	next.AddCookie(cs[len(cs)-1])
	got := m.Start(httptest.NewRecorder(), next)
	if got.GetString("after") != "stored" || got.GetString("base") != "kept" || got.User() != "" {
		t.Errorf("next request: after %q, base %q, user %q; want stored, kept and none",
			got.GetString("after"), got.GetString("base"), got.User())
	}
}
