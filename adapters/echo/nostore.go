package sessionecho

import (
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/sessionkit/sessions"
)

// noStoreWriter sits under echo's outermost response (c.Response().Writer
// as the server's middleware chain found it) and keeps a response that
// sets or clears a session cookie uncacheable: at the status line it sets
// "Cache-Control: no-store" and exactly one "Vary: Cookie" whenever a
// Set-Cookie line sets one of its managers' session cookies (the name at
// its Path and Domain; see sessions.Manager.OwnsCookie). The session's commit
// sets both before echo's outer response runs the c.Response().Before
// hooks of middleware registered before Middleware, which could overwrite
// them; echo calls this writer's WriteHeader after every such hook.
type noStoreWriter struct {
	http.ResponseWriter
	m    *sessions.Manager   // the first manager
	more []*sessions.Manager // further managers' Middleware
	sent bool                // the final status has been written
}

// install puts w under res, between res and its writer, or, when a
// noStoreWriter is already down res's writer chain (Middleware of another
// manager, or of the same one, registered further out), adds m to that
// one instead: the outermost place is the one every Before hook runs
// ahead of.
func (w *noStoreWriter) install(res *echo.Response, m *sessions.Manager) {
	for next := res.Writer; next != nil; {
		if g, ok := next.(*noStoreWriter); ok {
			if !g.covers(m) {
				g.more = append(g.more, m)
			}
			return
		}
		u, ok := next.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			break
		}
		next = u.Unwrap()
	}
	w.ResponseWriter, w.m = res.Writer, m
	res.Writer = w
}

// covers reports whether m is one of w's managers.
func (w *noStoreWriter) covers(m *sessions.Manager) bool {
	return m == w.m || slices.Contains(w.more, m)
}

// enforce makes the header uncacheable if it sets one of w's cookies, once,
// before the final status goes out. A code that is no HTTP status (outside
// 100-999) is not final: net/http panics on it and sends nothing, and the
// response that follows, such as echo's Recover middleware's answer, is
// fixed in turn.
func (w *noStoreWriter) enforce(code int) {
	if w.sent {
		return
	}
	if (code >= 200 && code <= 999) || code == http.StatusSwitchingProtocols {
		w.sent = true
	}
	h := w.ResponseWriter.Header()
	if !w.setsCookie(h["Set-Cookie"]) {
		return
	}
	if cc := h["Cache-Control"]; len(cc) != 1 || cc[0] != "no-store" {
		h["Cache-Control"] = []string{"no-store"}
	}
	varyCookieOnce(h)
}

// setsCookie reports whether one of the Set-Cookie lines sets one of w's
// managers' session cookies.
func (w *noStoreWriter) setsCookie(lines []string) bool {
	for _, l := range lines {
		if w.m.OwnsCookie(l) || slices.ContainsFunc(w.more, func(m *sessions.Manager) bool { return m.OwnsCookie(l) }) {
			return true
		}
	}
	return false
}

// varyCookieOnce leaves exactly one Cookie among h's Vary field names: it
// adds "Vary: Cookie" when none names it (a name that only contains
// "Cookie", such as X-Cookie-Consent, does not), and drops the repeats.
func varyCookieOnce(h http.Header) {
	n := 0
	for _, v := range h["Vary"] {
		for f := range strings.SplitSeq(v, ",") {
			if isCookie(f) {
				n++
			}
		}
	}
	switch {
	case n == 0:
		h.Add("Vary", "Cookie")
		return
	case n == 1:
		return
	}
	seen := false
	var kept []string
	for _, v := range h["Vary"] {
		var fs []string
		for f := range strings.SplitSeq(v, ",") {
			if isCookie(f) {
				if seen {
					continue
				}
				seen = true
			}
			if f = strings.TrimSpace(f); f != "" {
				fs = append(fs, f)
			}
		}
		if len(fs) > 0 {
			kept = append(kept, strings.Join(fs, ", "))
		}
	}
	h["Vary"] = kept
}

// isCookie reports whether the Vary field name f is Cookie.
func isCookie(f string) bool { return strings.EqualFold(strings.TrimSpace(f), "Cookie") }

// WriteHeader fixes the cache headers, then writes the status.
func (w *noStoreWriter) WriteHeader(code int) {
	w.enforce(code)
	w.ResponseWriter.WriteHeader(code)
}

// Write fixes the cache headers if the status has not gone out yet, then
// writes b.
func (w *noStoreWriter) Write(b []byte) (int, error) {
	w.enforce(http.StatusOK)
	return w.ResponseWriter.Write(b)
}

// FlushError fixes the cache headers if the status has not gone out yet,
// then flushes the response (http.ResponseController's Flush, which echo's
// Flush calls, uses it) and returns the server writer's error.
func (w *noStoreWriter) FlushError() error {
	w.enforce(http.StatusOK)
	return http.NewResponseController(w.ResponseWriter).Flush()
}

// Unwrap returns the wrapped writer, for http.ResponseController.
func (w *noStoreWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
