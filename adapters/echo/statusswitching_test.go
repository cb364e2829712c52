package sessionecho_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/sessionkit/sessions"
	sessionecho "github.com/sessionkit/sessions/adapters/echo"
)

// TestSwitchingProtocolsIsFinal checks that a 101 Switching Protocols the
// handler writes is, unlike 103 Early Hints, the response's final status
// for echo: it goes through echo's outer Response, so middleware
// registered before Middleware sees its Before hook run with 101, and 101
// as the status after the chain.
func TestSwitchingProtocolsIsFinal(t *testing.T) {
	m, _ := newManager(t, sessions.Options{})
	e := echo.New()
	var hookStatus, outerStatus int
	e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			res := c.Response()
			res.Before(func() { hookStatus = res.Status })
			err := next(c)
			outerStatus = res.Status
			return err
		}
	}, sessionecho.Middleware(m))
	e.GET("/", func(c echo.Context) error {
		c.Response().Header().Set("Upgrade", "example/1")
		c.Response().Header().Set("Connection", "Upgrade")
		c.Response().WriteHeader(http.StatusSwitchingProtocols)
		return nil
	})
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest("GET", "https://example.com/", nil))

	if rec.Code != http.StatusSwitchingProtocols {
		t.Errorf("status %d, want 101", rec.Code)
	}
	if hookStatus != http.StatusSwitchingProtocols || outerStatus != http.StatusSwitchingProtocols {
		t.Errorf("outer middleware saw status %d in its Before hook and %d after the chain, want 101 and 101", hookStatus, outerStatus)
	}
}
