package sessionfasthttp

import (
	"bytes"
	"errors"
	"net/http"
	"net/textproto"
	"strings"

	"github.com/valyala/fasthttp"
)

// passMarker is what the inner handler writes through the core's response
// writer once next has returned. The core passes a write on only after a
// successful commit, so receiving this very slice (compared by address,
// which no other caller can produce) means the handler's response stands.
var passMarker = []byte{0}

// errRequestOver is what a write through a session kept past its request
// returns.
var errRequestOver = errors.New("sessionfasthttp: write after the request ended")

func isPassMarker(b []byte) bool { return len(b) == 1 && &b[0] == &passMarker[0] }

// responseWriter is the http.ResponseWriter the core's middleware writes to.
// The handler itself writes to ctx.Response, never here, so the core reaches
// it for three things only:
//
//   - the session's response headers (Set-Cookie, Cache-Control, Vary),
//     which finish copies into ctx.Response after a successful commit;
//   - the pass marker, which says the commit succeeded;
//   - an answer of its own: a CSRF refusal before the handler ran, or the
//     error handler's after a load or commit failure. That answer replaces
//     the response in ctx.Response.
type responseWriter struct {
	ctx *fasthttp.RequestCtx // nil once the request is over
	h   http.Header

	ran      bool // the handler ran
	passed   bool // the commit succeeded and the handler's response stands
	answered bool // the core wrote an answer of its own
	sniff    bool // the answer has no Content-Type yet: detect it from the body
}

// responseWriterOf finds the adapter's writer under the core's wrapper,
// which has Unwrap for http.ResponseController.
func responseWriterOf(w http.ResponseWriter) *responseWriter {
	for {
		switch x := w.(type) {
		case *responseWriter:
			return x
		case interface{ Unwrap() http.ResponseWriter }:
			w = x.Unwrap()
		default:
			panic("sessionfasthttp: the core's middleware hid the adapter's response writer")
		}
	}
}

// Header returns the headers the core sets for the session or its answer.
// Until the core clears them for a failed commit or load, they hold
// outerMark (see cleared).
func (w *responseWriter) Header() http.Header {
	if w.h == nil {
		w.h = make(http.Header, 4)
		w.h[outerMark] = nil
	}
	return w.h
}

// outerMark is a key the core never sets, held in the header map the core
// sees until the core clears that map: under net/http the map also holds
// what middleware outside Handler set, and the core clears it all when a
// commit or load fails, before the error handler answers. Here those
// headers are in ctx.Response, out of the core's reach, so a cleared map
// is the sign that they must go too. It is never copied to the response.
const outerMark = "\x00sessionfasthttp-outer"

// cleared reports whether the core cleared its header map: a failed commit
// or load, answered by the error handler (a CSRF refusal keeps it).
func (w *responseWriter) cleared() bool {
	if w.h == nil {
		return false
	}
	_, kept := w.h[outerMark]
	return !kept
}

// WriteHeader starts the core's own answer: the handler's response is
// discarded (if the handler ran) and status and headers are set from this
// call, as net/http takes them at WriteHeader.
func (w *responseWriter) WriteHeader(code int) {
	if w.ctx == nil || w.answered || w.passed {
		return
	}
	if code < 200 {
		// Informational answers cannot be sent ahead through fasthttp's
		// buffered response; nothing the core writes uses them.
		return
	}
	w.answered = true
	resp := &w.ctx.Response
	if w.ran || w.cleared() {
		// A failed commit, or a load that failed before the handler ran
		// (the CSRF check's): nothing the handler or outer middleware
		// prepared may reach the client, as the core clears its
		// ResponseWriter's headers.
		w.dropHandlerResponse()
	} else {
		// A CSRF refusal keeps what outer middleware set, as the core
		// keeps the headers of its ResponseWriter.
		resp.ResetBody()
	}
	resp.SetStatusCode(code)
	_, typed := w.h["Content-Type"]
	w.sniff = !typed
	w.copyHeader(&resp.Header)
}

// Write appends to the core's answer, or recognises the pass marker.
func (w *responseWriter) Write(b []byte) (int, error) {
	if w.ctx == nil {
		return 0, errRequestOver
	}
	if isPassMarker(b) && !w.answered {
		w.passed = true
		return len(b), nil
	}
	if w.passed {
		return len(b), nil
	}
	if !w.answered {
		w.WriteHeader(http.StatusOK)
	}
	if len(b) == 0 {
		return 0, nil
	}
	if w.sniff {
		w.sniff = false
		w.ctx.Response.Header.SetContentType(http.DetectContentType(b))
	}
	w.ctx.Response.AppendBody(b)
	return len(b), nil
}

// finish runs once the core's middleware has returned.
func (w *responseWriter) finish() {
	switch {
	case w.passed:
		w.copyHeader(&w.ctx.Response.Header)
	case w.answered:
		// Written as it came.
	case w.ran || w.cleared():
		// The commit or load failed and the error handler wrote nothing:
		// the client still gets none of the response prepared.
		w.dropHandlerResponse()
		w.copyHeader(&w.ctx.Response.Header)
	default:
		// The CSRF failure handler wrote nothing.
		w.copyHeader(&w.ctx.Response.Header)
	}
	// A handler that timed out (fasthttp.TimeoutHandler, or its own
	// ctx.TimeoutError) left the response fasthttp sends instead of
	// ctx.Response. It carries the session's headers too, as under
	// Manager.Handler, where http.TimeoutHandler's answer goes out
	// through the session's writer: a session stored, or renewed, with no
	// cookie naming it is lost to the client. After a failed commit the
	// error handler's answer is the one sent, as it is there.
	if t := w.ctx.LastTimeoutErrorResponse(); t != nil {
		if w.passed {
			w.copyHeader(&t.Header)
		} else {
			w.ctx.TimeoutErrorWithResponse(&w.ctx.Response)
		}
	}
}

// dropHandlerResponse discards what the handler prepared after a failed
// commit: its response (Reset also closes a body stream it set, which
// stops its stream writer) and a hijack it asked for with ctx.Hijack,
// which fasthttp would otherwise run once the error handler's answer is
// sent, or instead of sending it with HijackSetNoResponse, handing the
// connection to a handler whose session was not stored.
func (w *responseWriter) dropHandlerResponse() {
	w.ctx.Response.Reset()
	w.ctx.Hijack(nil)
	w.ctx.HijackSetNoResponse(false)
}

// copyHeader moves the headers the core set into rh, ctx.Response's. A
// header the core set replaces the handler's of the same name, as it would
// in one net/http header map, except Set-Cookie, where only the same cookie
// (see dropSameCookie) is replaced, and Vary, to which missing values are
// added.
func (w *responseWriter) copyHeader(rh *fasthttp.ResponseHeader) {
	if len(w.h) == 0 {
		return
	}
	for k, vs := range w.h {
		switch k {
		case "Content-Length", "Transfer-Encoding", outerMark:
			// fasthttp frames the body itself.
		case "Set-Cookie":
			for _, v := range vs {
				dropSameCookie(rh, v)
			}
			for _, v := range vs {
				rh.Add(k, v)
			}
		case "Vary":
			for _, v := range vs {
				if !hasField(rh.PeekAll(k), v) {
					rh.Add(k, v)
				}
			}
		default:
			rh.Del(k)
			for _, v := range vs {
				rh.Add(k, v)
			}
		}
	}
}

// hasField reports whether one of lines, each a comma-separated list of
// field names as Vary carries, lists the field v. Field names are
// case-insensitive, and a name that merely contains v ("X-Cookie-Consent",
// "Set-Cookie" for "Cookie") is another field.
func hasField(lines [][]byte, v string) bool {
	for _, l := range lines {
		for f := range bytes.SplitSeq(l, []byte(",")) {
			if bytes.EqualFold(bytes.TrimSpace(f), []byte(v)) {
				return true
			}
		}
	}
	return false
}

// dropSameCookie removes from rh the Set-Cookie lines for the cookie line
// sets: the same name, Path and Domain, which together make the cookie a
// browser replaces. A line for the name at another Path or Domain is another
// cookie and stays, as the core keeps it under net/http.
func dropSameCookie(rh *fasthttp.ResponseHeader, line string) {
	name, path, domain, ok := cookieScope(line)
	if !ok {
		return
	}
	var keep []string
	dropped := false
	for k, v := range rh.Cookies() {
		if string(k) != name {
			continue
		}
		_, p, d, _ := cookieScope(string(v))
		if p == path && strings.EqualFold(d, domain) {
			dropped = true
		} else {
			keep = append(keep, string(v))
		}
	}
	if !dropped {
		return
	}
	rh.DelCookie(name)
	for _, v := range keep {
		rh.Add("Set-Cookie", v)
	}
}

// cookieScope returns the name of the cookie a Set-Cookie line sets, and
// its Path and Domain attributes (a leading dot dropped from the domain).
// It trims as the core does under net/http (textproto.TrimString: space,
// tab, CR, LF; not the other Unicode spaces strings.TrimSpace takes), so
// that a Path or Domain holding such a space is another one here too.
func cookieScope(line string) (name, path, domain string, ok bool) {
	pair, attrs, _ := strings.Cut(line, ";")
	name, _, ok = strings.Cut(pair, "=")
	name = textproto.TrimString(name)
	for attrs != "" {
		var a string
		a, attrs, _ = strings.Cut(attrs, ";")
		k, v, _ := strings.Cut(textproto.TrimString(a), "=")
		switch {
		case strings.EqualFold(k, "Path"):
			path = v
		case strings.EqualFold(k, "Domain"):
			domain = strings.TrimPrefix(v, ".")
		}
	}
	return name, path, domain, ok
}
