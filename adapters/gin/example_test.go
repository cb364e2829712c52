package sessiongin_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/gin-gonic/gin"

	"github.com/sessionkit/sessions"
	sessiongin "github.com/sessionkit/sessions/adapters/gin"
	"github.com/sessionkit/sessions/stores/memory"
)

// The middleware on the engine, the session in a handler: one commit per
// request, before the response's first byte.
func ExampleMiddleware() {
	store := memory.New(memory.Options{})
	defer store.Close()
	m, err := sessions.NewManager(store, sessions.Options{})
	if err != nil {
		panic(err)
	}

	r := gin.New()
	r.Use(gin.Recovery(), sessiongin.Middleware(m))
	r.GET("/visit", func(c *gin.Context) {
		n, _ := sessiongin.Session(m, c).Increment("visits", 1)
		c.String(http.StatusOK, "visit %d", n)
	})

	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest("GET", "/visit", nil))
	cookie := rec.Result().Cookies()[0]
	fmt.Println(rec.Body.String(), cookie.Name, cookie.HttpOnly, cookie.Secure)

	req := httptest.NewRequest("GET", "/visit", nil)
	req.AddCookie(cookie)
	rec = httptest.NewRecorder()
	r.ServeHTTP(rec, req)
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

	r := gin.New()
	r.Use(sessiongin.Middleware(m))
	r.GET("/form", func(c *gin.Context) {
		c.String(http.StatusOK, sessiongin.Session(m, c).CSRFToken())
	})
	r.POST("/login", func(c *gin.Context) {
		if err := sessiongin.Session(m, c).Login("alice"); err != nil {
			c.AbortWithStatus(http.StatusInternalServerError)
			return
		}
		c.Status(http.StatusNoContent)
	})

	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest("GET", "/form", nil))
	token, cookie := rec.Body.String(), rec.Result().Cookies()[0]

	for _, withToken := range []bool{false, true} {
		req := httptest.NewRequest("POST", "/login", nil)
		req.AddCookie(cookie)
		if withToken {
			req.Header.Set("X-CSRF-Token", token)
		}
		rec = httptest.NewRecorder()
		r.ServeHTTP(rec, req)
		renewed := len(rec.Result().Cookies()) == 1 && rec.Result().Cookies()[0].Value != cookie.Value
		fmt.Println(rec.Code, renewed)
	}
	// Output:
	// 403 false
	// 204 true
}
