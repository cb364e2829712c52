package sessionecho_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/sessionkit/sessions"
	sessionecho "github.com/sessionkit/sessions/adapters/echo"
)

// TestSilentErrorHandler checks that when the session cannot be committed
// and Options.ErrorHandler writes nothing, nothing of the handler's response
// reaches the client, its returned error included: the client gets the
// empty 200 net/http sends for a handler that wrote nothing, as under
// Manager.Handler, not echo's answer to the handler's error.
func TestSilentErrorHandler(t *testing.T) {
	cases := []struct {
		name  string
		write func(c echo.Context) error
	}{
		{"String", func(c echo.Context) error { return c.String(http.StatusCreated, "secret body") }},
		{"returns HTTPError", func(c echo.Context) error { return echo.NewHTTPError(http.StatusTeapot, "secret body") }},
		{"writes, then returns an error", func(c echo.Context) error {
			c.String(http.StatusCreated, "secret body")
			return errors.New("secret error")
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, st := newManager(t, sessions.Options{ErrorHandler: func(http.ResponseWriter, *http.Request, error) {}})
			e := newServer(m)
			e.GET("/", func(c echo.Context) error {
				sessionecho.Session(m, c).Set("k", "v")
				return tc.write(c)
			})
			srv := serve(t, e)
			resp, _ := do(t, srv, "GET", "/token", request{})
			cookie := mustCookie(t, resp, m)
			st.Down.Store(true)

			resp, body := do(t, srv, "GET", "/", request{Cookie: cookie})
			if resp.StatusCode != http.StatusOK || body != "" {
				t.Errorf("got %d %q; want an empty 200", resp.StatusCode, body)
			}
			if strings.Contains(body, "secret") {
				t.Errorf("the handler's response leaked: %q", body)
			}
		})
	}
}
