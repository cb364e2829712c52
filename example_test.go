package sessions_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/memory"
)

// The seed's API: a manager from a registered store name, Start, Set, Get.
func ExampleNew() {
	sess := sessions.New("memory", "sid", 60*time.Minute)
	defer sess.Close()

	mux := http.NewServeMux()
	mux.HandleFunc("/set", func(w http.ResponseWriter, r *http.Request) {
		s := sess.Start(w, r)
		s.Set("name", "kataras")
		fmt.Fprintf(w, "All ok session setted to: %s", s.Get("name"))
	})

	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("GET", "/set", nil))
	fmt.Println(rec.Body.String())
	fmt.Println(rec.Result().Cookies()[0].Name)
	// Output:
	// All ok session setted to: kataras
	// sid
}

// The full-control constructor with the middleware: one commit per request,
// before the first byte of the response.
func ExampleManager_Handler() {
	store := memory.New(memory.Options{})
	defer store.Close()
	m, err := sessions.NewManager(store, sessions.Options{
		IdleTimeout: 20 * time.Minute,
		Lifetime:    8 * time.Hour,
	})
	if err != nil {
		panic(err)
	}
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := m.Start(w, r)
		visits, _ := s.Increment("visits", 1)
		fmt.Fprintf(w, "visit %d", visits)
	})
	h := m.Handler(app)

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	cookie := rec.Result().Cookies()[0]
	fmt.Println(rec.Body.String(), cookie.Name, cookie.HttpOnly, cookie.Secure)

	req := httptest.NewRequest("GET", "/", nil)
	req.AddCookie(cookie)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	fmt.Println(rec.Body.String())
	// Output:
	// visit 1 __Host-id true true
	// visit 2
}

// Login after authentication: a new ID, the user recorded for "your
// devices", and only allowlisted keys carried over.
func ExampleSession_Login() {
	store := memory.New(memory.Options{})
	defer store.Close()
	m, _ := sessions.NewManager(store, sessions.Options{KeepOnLogin: []string{"cart"}})

	// In a handler after checking the password; CSRF applies to the login
	// form too when it goes through Manager.Handler.
	rec := httptest.NewRecorder()
	s := m.Start(rec, httptest.NewRequest("POST", "/login", nil))
	s.Set("cart", []string{"book"})
	s.Set("planted", "by someone else")
	if err := s.Login("alice"); err != nil {
		panic(err)
	}
	fmt.Println(s.User(), s.Get("cart"), s.Get("planted"))
	// Output:
	// alice [book] <nil>
}

// Typed access works the same on every store.
func ExampleGet() {
	type Prefs struct{ Theme string }
	rec := httptest.NewRecorder()
	s := sessions.New("memory", "sid", time.Hour).Start(rec, httptest.NewRequest("GET", "/", nil))
	s.Set("prefs", Prefs{Theme: "dark"})
	p, ok := sessions.Get[Prefs](s, "prefs")
	fmt.Println(p.Theme, ok)
	// Output:
	// dark true
}
