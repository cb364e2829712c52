package cookie_test

import (
	"encoding/base64"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/cookie"
)

// A manager on the cookie store: the session travels in the cookie,
// sealed, and the server keeps nothing.
func Example() {
	// In production: keys, err := cookie.ParseKeys(os.Getenv(cookie.KeyEnv))
	key, err := cookie.GenerateKey()
	if err != nil {
		log.Fatal(err)
	}
	store, err := cookie.New(key)
	if err != nil {
		log.Fatal(err)
	}
	m, err := sessions.NewManager(store, sessions.Options{})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /set", func(w http.ResponseWriter, r *http.Request) {
		m.FromContext(r.Context()).Set("name", "gopher")
	})
	mux.HandleFunc("GET /get", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, m.FromContext(r.Context()).GetString("name"))
	})
	h := m.Handler(mux)

	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "https://example.com/set", nil))
	c := w.Result().Cookies()[0]
	fmt.Println(c.Name, len(c.Value) > 100)

	req := httptest.NewRequest("GET", "https://example.com/get", nil)
	req.AddCookie(c)
	w = httptest.NewRecorder()
	h.ServeHTTP(w, req)
	fmt.Println(w.Body.String())
	// Output:
	// __Host-id true
	// gopher
}

// Rotating keys: the newest key seals, older keys still open, and a cookie
// opened with an older key is re-sealed under the newest by the manager.
func ExampleNew_rotation() {
	oldKey, _ := cookie.GenerateKey()
	newKey, _ := cookie.GenerateKey()
	before, _ := cookie.New(oldKey)
	value, _ := before.Seal("__Host-id", "some-session-id", &sessions.Record{})

	after, err := cookie.New(newKey, oldKey) // newest first
	if err != nil {
		log.Fatal(err)
	}
	_, _, stale, err := after.OpenStale("__Host-id", value)
	fmt.Println(stale, err)

	// Once every live cookie has been re-sealed, drop the old key.
	final, _ := cookie.New(newKey)
	_, _, err = final.Open("__Host-id", value)
	fmt.Println(errors.Is(err, sessions.ErrCorrupt))
	// Output:
	// true <nil>
	// true
}

// Keys are read from text such as the output of `openssl rand -base64 32`.
// Keys printed in documentation are refused.
func ExampleParseKey() {
	key, _ := cookie.GenerateKey()
	text := base64.StdEncoding.EncodeToString(key)
	parsed, err := cookie.ParseKey(text)
	fmt.Println(len(parsed), err)

	_, err = cookie.ParseKey("Rgd+SfE8bFBlfGu5Xb4JgculJzt/n6aDTDzC/+V40jA=")
	fmt.Println(errors.Is(err, cookie.ErrInvalidKey))
	// Output:
	// 32 <nil>
	// true
}
