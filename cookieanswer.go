package sessions

import "net/http"

// cookieAnswer is the writer the error handler answers a failed commit
// through when the answer still sets or clears the session cookie (see
// responseWriter.commit): whatever Cache-Control the error handler sets,
// the answer goes out uncacheable, since a shared cache would hand the
// cookie to other clients.
type cookieAnswer struct{ http.ResponseWriter }

func (a *cookieAnswer) WriteHeader(code int) {
	noStore(a.ResponseWriter)
	a.ResponseWriter.WriteHeader(code)
}

func (a *cookieAnswer) Write(b []byte) (int, error) {
	noStore(a.ResponseWriter)
	return a.ResponseWriter.Write(b)
}

// Flush sends the header as it stands, uncacheable, for an error handler
// that flushes through http.ResponseController or http.Flusher.
func (a *cookieAnswer) Flush() {
	noStore(a.ResponseWriter)
	http.NewResponseController(a.ResponseWriter).Flush()
}

// Unwrap returns the writer the answer goes to, for
// http.ResponseController.
func (a *cookieAnswer) Unwrap() http.ResponseWriter { return a.ResponseWriter }

// cookieLines returns the Set-Cookie lines of the session cookie in h, or
// nil when the response neither sets nor clears the session cookie (see
// noStore). Callers hold s.mu or own the session.
func (s *Session) cookieLines(h http.Header) []string {
	if s.noStore[0] == "" {
		return nil
	}
	var lines []string
	for _, l := range h["Set-Cookie"] {
		if _, own := s.m.cookie.owns(l); own {
			lines = append(lines, l)
		}
	}
	return lines
}
