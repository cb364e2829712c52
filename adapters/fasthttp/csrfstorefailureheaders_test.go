package sessionfasthttp_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/sessionkit/sessions"
	sessionfasthttp "github.com/sessionkit/sessions/adapters/fasthttp"
	"github.com/sessionkit/sessions/internal/adaptertest"
	"github.com/valyala/fasthttp"
)

// TestStoreFailureAnswerDropsOuterHeadersAsCore checks that when the
// store fails, the error handler's answer carries none of the headers the
// response had, as under Manager.Handler, where a failed commit or load
// clears the whole header map, what middleware outside Handler set
// included (here a public Cache-Control that would let a shared cache keep
// the 503): whether the store fails while the handler runs or while the
// CSRF check of an unsafe request loads the session, before the handler.
// The adapter dropped them only in the first case.
func TestStoreFailureAnswerDropsOuterHeadersAsCore(t *testing.T) {
	errorHandler := func(w http.ResponseWriter, r *http.Request, err error) {
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("down"))
	}
	for _, tc := range []struct {
		name   string
		method string
		hdr    []string
	}{
		{"load fails in the handler", "GET", nil},
		{"load fails in the CSRF check", "POST", []string{"X-CSRF-Token", "anything"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			type answer struct {
				status             int
				body, cache, outer string
			}
			var got [2]answer
			for i, side := range []string{"core", "fasthttp"} {
				m, st := adaptertest.NewManager(t, sessions.Options{ErrorHandler: errorHandler})
				var base string
				if side == "core" {
					inner := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
						s := m.FromContext(r.Context())
						s.Set("k", "v")
						w.Write([]byte("handler"))
					}))
					srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
						w.Header().Set("Cache-Control", "public, max-age=3600")
						w.Header().Set("X-Outer", "1")
						inner.ServeHTTP(w, r)
					}))
					t.Cleanup(srv.Close)
					base = srv.URL
				} else {
					inner := sessionfasthttp.Middleware(m)(func(ctx *fasthttp.RequestCtx) {
						sessionfasthttp.Session(m, ctx).Set("k", "v")
						ctx.WriteString("handler")
					})
					base, _ = serve(t, func(ctx *fasthttp.RequestCtx) {
						ctx.Response.Header.Set("Cache-Control", "public, max-age=3600")
						ctx.Response.Header.Set("X-Outer", "1")
						inner(ctx)
					})
				}
				c := newClient(t, base, m, nil)
				if resp, _ := c.get("/"); c.cookie == nil {
					t.Fatalf("%s: GET / set no session cookie (status %d)", side, resp.StatusCode)
				}
				st.Down.Store(true)
				resp, body := c.do(tc.method, "/", nil, tc.hdr...)
				got[i] = answer{resp.StatusCode, body, resp.Header.Get("Cache-Control"), resp.Header.Get("X-Outer")}
			}
			if got[0] != got[1] {
				t.Errorf("store down, %s %s:\n core     answers %+v\n fasthttp answers %+v", tc.method, "/", got[0], got[1])
			}
		})
	}
}
