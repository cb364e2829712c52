package sessions_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
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

// A flash message survives a redirect: queued by the request that saved,
// read once by the next one. (Like the Login example, the requests here
// start their sessions without Manager.Handler, so no CSRF token is needed.)
func ExampleSession_AddFlash() {
	store := memory.New(memory.Options{})
	defer store.Close()
	m, _ := sessions.NewManager(store, sessions.Options{})

	rec := httptest.NewRecorder()
	m.Start(rec, httptest.NewRequest("POST", "/save", nil)).AddFlash("Saved.")
	cookie := rec.Result().Cookies()[0]
	for range 2 {
		req := httptest.NewRequest("GET", "/", nil)
		req.AddCookie(cookie)
		fmt.Println(m.Start(httptest.NewRecorder(), req).Flashes())
	}
	// Output:
	// [Saved.]
	// []
}

// "Sign out my other devices": every session of the user but the one
// making the request is deleted from the store.
func ExampleManager_DestroyUserSessions() {
	store := memory.New(memory.Options{})
	defer store.Close()
	m, _ := sessions.NewManager(store, sessions.Options{})
	var laptop *http.Cookie
	for range 2 { // alice signs in on her phone, then on her laptop
		rec := httptest.NewRecorder()
		if err := m.Start(rec, httptest.NewRequest("POST", "/login", nil)).Login("alice"); err != nil {
			panic(err)
		}
		laptop = rec.Result().Cookies()[0]
	}

	// On the laptop: the request's own session is the one kept.
	req := httptest.NewRequest("POST", "/sessions/others/delete", nil)
	req.AddCookie(laptop)
	s := m.Start(httptest.NewRecorder(), req)
	n, err := m.DestroyUserSessions(req.Context(), s.User(), s.ID())
	if err != nil {
		panic(err)
	}
	left, _ := m.UserSessions(req.Context(), "alice")
	fmt.Println(n, "signed out,", len(left), "left:", left[0].Key == s.ID())
	// Output:
	// 1 signed out, 1 left: true
}

// Logout: the record is deleted and the cookie expired.
func ExampleSession_Destroy() {
	store := memory.New(memory.Options{})
	defer store.Close()
	m, _ := sessions.NewManager(store, sessions.Options{})
	rec := httptest.NewRecorder()
	if err := m.Start(rec, httptest.NewRequest("POST", "/login", nil)).Login("alice"); err != nil {
		panic(err)
	}
	fmt.Println("sessions stored:", store.Len())

	req := httptest.NewRequest("POST", "/logout", nil)
	req.AddCookie(rec.Result().Cookies()[0])
	rec = httptest.NewRecorder()
	m.Start(rec, req).Destroy()
	expired := rec.Result().Cookies()[0]
	fmt.Println("sessions stored:", store.Len(), "cookie max-age:", expired.MaxAge)
	// Output:
	// sessions stored: 1
	// sessions stored: 0 cookie max-age: -1
}

// Under Manager.Handler every unsafe request needs the session's CSRF
// token, in the X-CSRF-Token header or the csrf_token form field: a page
// puts CSRFToken in its form or script, and a request without it is
// refused before the handler runs.
func ExampleSession_CSRFToken() {
	store := memory.New(memory.Options{})
	defer store.Close()
	m, _ := sessions.NewManager(store, sessions.Options{})
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := m.Start(w, r)
		if r.Method == http.MethodGet {
			fmt.Fprint(w, s.CSRFToken()) // a page would put it in a form
			return
		}
		fmt.Fprint(w, "saved")
	}))

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/form", nil))
	cookie, token := rec.Result().Cookies()[0], rec.Body.String()

	for _, withToken := range []bool{true, false} {
		req := httptest.NewRequest("POST", "/save", nil)
		req.AddCookie(cookie)
		if withToken {
			req.Header.Set("X-CSRF-Token", token)
		}
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		fmt.Println(withToken, rec.Code)
	}
	// Output:
	// true 200
	// false 403
}

// Save commits the session before the response. A change over
// Options.MaxSize is refused with ErrTooLarge and nothing is stored, but
// the session stays usable: the handler can keep a smaller value instead
// and save again.
func ExampleSession_Save() {
	store := memory.New(memory.Options{})
	defer store.Close()
	m, _ := sessions.NewManager(store, sessions.Options{MaxSize: 1024})
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := m.Start(w, r)
		s.Set("draft", strings.Repeat("x", 4096))
		if err := s.Save(); errors.Is(err, sessions.ErrTooLarge) {
			fmt.Println("refused:", errors.Is(err, sessions.ErrTooLarge))
			s.Delete("draft")
			s.Set("draft_id", 42) // keep the draft elsewhere, its key here
			fmt.Println("saved again:", s.Save())
		}
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	fmt.Println("status:", rec.Code, "sessions stored:", store.Len())
	// Output:
	// refused: true
	// saved again: <nil>
	// status: 200 sessions stored: 1
}

// Renew on a privilege change (Login does it for you): the data stays,
// the ID changes, and the old cookie no longer reaches the session.
func ExampleSession_Renew() {
	store := memory.New(memory.Options{})
	defer store.Close()
	m, _ := sessions.NewManager(store, sessions.Options{})
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := m.Start(w, r)
		switch r.URL.Path {
		case "/start":
			s.Set("plan", "free")
		case "/upgrade":
			s.Set("plan", "pro")
			s.Renew()
		}
		fmt.Fprint(w, s.GetString("plan"))
	}))
	serve := func(path string, c *http.Cookie) (string, *http.Cookie) {
		req := httptest.NewRequest("GET", path, nil)
		if c != nil {
			req.AddCookie(c)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if cs := rec.Result().Cookies(); len(cs) > 0 {
			c = cs[0]
		}
		return rec.Body.String(), c
	}
	_, before := serve("/start", nil)
	plan, after := serve("/upgrade", before)
	fmt.Println(plan, after.Value != before.Value)
	stale, _ := serve("/show", before)
	fresh, _ := serve("/show", after)
	fmt.Printf("old cookie: %q, new cookie: %q\n", stale, fresh)
	// Output:
	// pro true
	// old cookie: "", new cookie: "pro"
}

// A step-up check before a sensitive action: the login must be recent.
func ExampleSession_RequireRecentAuth() {
	now := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	store := memory.New(memory.Options{Now: clock})
	defer store.Close()
	m, _ := sessions.NewManager(store, sessions.Options{Now: clock})

	rec := httptest.NewRecorder()
	s := m.Start(rec, httptest.NewRequest("POST", "/login", nil))
	if err := s.Login("alice"); err != nil {
		panic(err)
	}
	fmt.Println(s.RequireRecentAuth(5 * time.Minute))
	now = now.Add(10 * time.Minute) // ten minutes later, still signed in
	fmt.Println(s.RequireRecentAuth(5*time.Minute), s.User())
	// Output:
	// true
	// false alice
}

// "Your devices": list the user's sessions and sign one out by its
// handle. The ownership check makes a handle from a request safe to use.
func ExampleManager_DestroySession() {
	store := memory.New(memory.Options{})
	defer store.Close()
	m, _ := sessions.NewManager(store, sessions.Options{})
	for range 2 { // alice signs in on two devices
		rec := httptest.NewRecorder()
		if err := m.Start(rec, httptest.NewRequest("POST", "/login", nil)).Login("alice"); err != nil {
			panic(err)
		}
	}
	ctx := context.Background()
	devices, _ := m.UserSessions(ctx, "alice")
	handle := devices[0].Key // what a "sign out" button would post

	ok, err := m.DestroySession(ctx, "mallory", handle) // not hers
	fmt.Println(ok, err)
	ok, err = m.DestroySession(ctx, "alice", handle)
	fmt.Println(ok, err)
	left, _ := m.UserSessions(ctx, "alice")
	fmt.Println(len(left), "left")
	// Output:
	// false <nil>
	// true <nil>
	// 1 left
}

// Events for audit logs and metrics: OnEvent sees each one, with the
// session's handle and user but never its ID.
func ExampleEvent() {
	store := memory.New(memory.Options{})
	defer store.Close()
	m, _ := sessions.NewManager(store, sessions.Options{
		Logger: slog.New(slog.DiscardHandler),
		OnEvent: func(_ context.Context, e sessions.Event) {
			fmt.Println(e.Kind, e.User, len(e.Handle))
		},
	})
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("POST", "/login", nil)
	if err := m.Start(rec, req).Login("alice"); err != nil {
		panic(err)
	}
	req = httptest.NewRequest("POST", "/logout", nil)
	req.AddCookie(rec.Result().Cookies()[0])
	m.Destroy(httptest.NewRecorder(), req)
	// Output:
	// created alice 16
	// destroyed alice 16
}
