package sessionecho_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/sessionkit/sessions"
	sessionecho "github.com/sessionkit/sessions/adapters/echo"
	"github.com/sessionkit/sessions/stores/memory"
)

// The middleware on the server, the session in a handler: one commit per
// request, before the response's first byte.
func ExampleMiddleware() {
	store := memory.New(memory.Options{})
	defer store.Close()
	m, err := sessions.NewManager(store, sessions.Options{})
	if err != nil {
		panic(err)
	}

	e := echo.New()
	e.Use(middleware.Recover(), sessionecho.Middleware(m))
	e.GET("/visit", func(c echo.Context) error {
		n, err := sessionecho.Session(m, c).Increment("visits", 1)
		if err != nil {
			return err
		}
		return c.String(http.StatusOK, fmt.Sprintf("visit %d", n))
	})

	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest("GET", "/visit", nil))
	cookie := rec.Result().Cookies()[0]
	fmt.Println(rec.Body.String(), cookie.Name, cookie.HttpOnly, cookie.Secure)

	req := httptest.NewRequest("GET", "/visit", nil)
	req.AddCookie(cookie)
	rec = httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	fmt.Println(rec.Body.String())
	// Output:
	// visit 1 __Host-id true true
	// visit 2
}

// Unsafe methods need the session's CSRF token: the page embeds
// CSRFToken, the script sends it back in the X-CSRF-Token header. A request
// without it is refused before the handler runs.
func ExampleSession_csrf() {
	store := memory.New(memory.Options{})
	defer store.Close()
	m, _ := sessions.NewManager(store, sessions.Options{})

	e := echo.New()
	e.Use(sessionecho.Middleware(m))
	e.GET("/form", func(c echo.Context) error {
		return c.String(http.StatusOK, sessionecho.Session(m, c).CSRFToken())
	})
	e.POST("/login", func(c echo.Context) error {
		if err := sessionecho.Session(m, c).Login("alice"); err != nil {
			return err
		}
		return c.NoContent(http.StatusNoContent)
	})

	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest("GET", "/form", nil))
	token, cookie := rec.Body.String(), rec.Result().Cookies()[0]

	for _, withToken := range []bool{false, true} {
		req := httptest.NewRequest("POST", "/login", nil)
		req.AddCookie(cookie)
		if withToken {
			req.Header.Set("X-CSRF-Token", token)
		}
		rec = httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		renewed := len(rec.Result().Cookies()) == 1 && rec.Result().Cookies()[0].Value != cookie.Value
		fmt.Println(rec.Code, renewed)
	}
	// Output:
	// 403 false
	// 204 true
}
