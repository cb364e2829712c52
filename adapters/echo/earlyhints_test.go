package sessionecho_test

import (
	"io"
	"net/http"
	"net/http/httptrace"
	"net/textproto"
	"slices"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/sessionkit/sessions"
	sessionecho "github.com/sessionkit/sessions/adapters/echo"
)

// TestEarlyHintsKeepFinalStatus checks that a handler sending 103 Early
// Hints through c.Response().Writer, as it does without the middleware
// (echo's own Response takes any status as the final one), still sends
// its final status: the client gets the 103, then the handler's 201 with
// the session cookie and "Cache-Control: no-store", and middleware
// registered before Middleware sees 201, from its Before hook and after
// the chain.
func TestEarlyHintsKeepFinalStatus(t *testing.T) {
	for _, twice := range []bool{false, true} {
		name := map[bool]string{false: "once", true: "server and group"}[twice]
		t.Run(name, func(t *testing.T) {
			m, _ := newManager(t, sessions.Options{})
			e := echo.New()
			var hookStatus []int
			var outerStatus int
			e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
				return func(c echo.Context) error {
					res := c.Response()
					res.Before(func() { hookStatus = append(hookStatus, res.Status) })
					err := next(c)
					outerStatus = res.Status
					return err
				}
			}, sessionecho.Middleware(m))
			g := e.Group("/g")
			if twice {
				g.Use(sessionecho.Middleware(m))
			}
			g.GET("/", func(c echo.Context) error {
				sessionecho.Session(m, c).Set("k", "v")
				c.Response().Header().Set("Link", "</app.css>; rel=preload")
				c.Response().Writer.WriteHeader(http.StatusEarlyHints)
				return c.JSON(http.StatusCreated, echo.Map{"ok": true})
			})
			srv := serve(t, e)

			var hints []int
			req, err := http.NewRequest("GET", srv.URL+"/g/", nil)
			if err != nil {
				t.Fatal(err)
			}
			req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
				Got1xxResponse: func(code int, _ textproto.MIMEHeader) error {
					hints = append(hints, code)
					return nil
				},
			}))
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()

			if !slices.Equal(hints, []int{http.StatusEarlyHints}) {
				t.Errorf("informational responses %v, want [103]", hints)
			}
			if resp.StatusCode != http.StatusCreated {
				t.Errorf("final status %d %q, want 201", resp.StatusCode, body)
			}
			mustCookie(t, resp, m)
			if cc := resp.Header.Values("Cache-Control"); len(cc) != 1 || cc[0] != "no-store" {
				t.Errorf("Cache-Control %q, want [no-store]", cc)
			}
			if outerStatus != http.StatusCreated || !slices.Equal(hookStatus, []int{http.StatusCreated}) {
				t.Errorf("outer middleware saw status %d after the chain and %v in its Before hook, want 201 and [201]", outerStatus, hookStatus)
			}
		})
	}
}
