package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sessionkit/sessions"
)

// newMux routes the seed example and the JSON API. The paths, shapes and
// texts are a contract that scripts rely on.
func newMux(m *sessions.Manager) *http.ServeMux {
	mux := http.NewServeMux()
	d := &demo{m: m}

	// The seed document's example, unchanged in behaviour.
	mux.HandleFunc("GET /set", func(w http.ResponseWriter, r *http.Request) {
		s := m.Start(w, r)
		s.Set("name", "kataras")
		fmt.Fprintf(w, "All ok session setted to: %s", s.Get("name"))
	})
	mux.HandleFunc("GET /get", func(w http.ResponseWriter, r *http.Request) {
		var name string
		if v := m.Start(w, r).Get("name"); v != nil {
			name, _ = v.(string)
		}
		fmt.Fprintf(w, "The name on the /set was: %s", name)
	})
	mux.HandleFunc("GET /delete", func(w http.ResponseWriter, r *http.Request) {
		m.Start(w, r).Delete("name")
	})
	mux.HandleFunc("GET /clear", func(w http.ResponseWriter, r *http.Request) {
		m.Start(w, r).Clear()
	})
	mux.HandleFunc("GET /destroy", func(w http.ResponseWriter, r *http.Request) {
		m.Destroy(w, r)
	})

	mux.HandleFunc("GET /api/session", d.session)
	mux.HandleFunc("PUT /api/session/values/{key}", d.putValue)
	mux.HandleFunc("DELETE /api/session/values/{key}", d.deleteValue)
	mux.HandleFunc("DELETE /api/session/values", d.clearValues)
	mux.HandleFunc("POST /api/session/counters/{key}", d.increment)
	mux.HandleFunc("POST /api/login", d.login)
	mux.HandleFunc("POST /api/logout", d.logout)
	mux.HandleFunc("GET /api/sessions", d.listSessions)
	mux.HandleFunc("DELETE /api/sessions/{id}", d.revokeOne)
	mux.HandleFunc("DELETE /api/sessions", d.revokeAll)
	// Every other /api request lands here, whatever its method: a path
	// the API has, asked with a method it does not take, is a 405 (as the
	// mux answers the seed paths), only a path it lacks a 404.
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		if allow := allowed(mux, r); allow != "" {
			w.Header().Set("Allow", allow)
			writeError(w, http.StatusMethodNotAllowed, "method not allowed; use "+allow)
			return
		}
		writeError(w, http.StatusNotFound, "no such endpoint")
	})
	mux.HandleFunc("GET /{$}", index)
	return mux
}

// allowed returns the methods, in an Allow header's form, for which mux
// routes r's path to a pattern naming that method (GET's for HEAD), or ""
// if none: the methods the API takes on that path.
func allowed(mux *http.ServeMux, r *http.Request) string {
	var allow []string
	for _, method := range []string{http.MethodGet, http.MethodHead, http.MethodPut, http.MethodPost, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = method
		_, pattern := mux.Handler(probe)
		if m, _, ok := strings.Cut(pattern, " "); ok && (m == method || method == http.MethodHead && m == http.MethodGet) {
			allow = append(allow, method)
		}
	}
	return strings.Join(allow, ", ")
}

type demo struct{ m *sessions.Manager }

// maxBody caps the request bodies the demo reads: a longer PUT of a value
// is a 413, a longer login a 400.
const maxBody = 64 << 10

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

// writeError answers code with msg as the JSON error. No cache keeps it:
// it is about this request's session, as the default error handler's
// answer is.
func writeError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, code, map[string]string{"error": msg})
}

// unsupportedValue answers sessions.ErrUnsupportedValue: a value, value
// name or user name from the request that the store cannot keep.
const unsupportedValue = "this session store cannot keep that value or name; use UTF-8 names without NUL bytes, of at most 2 KB"

// storeFailed answers a session error the handler saw directly.
func storeFailed(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, sessions.ErrTooManySessions):
		writeError(w, http.StatusConflict, "too many sessions for this user")
	case errors.Is(err, sessions.ErrNotInteger):
		writeError(w, http.StatusConflict, "value is not an integer")
	case errors.Is(err, sessions.ErrNotFound):
		writeError(w, http.StatusConflict, "session ended meanwhile; retry")
	case errors.Is(err, sessions.ErrStoreUnavailable):
		writeError(w, http.StatusServiceUnavailable, "session store unavailable, try again shortly")
	case errors.Is(err, sessions.ErrTooLarge):
		writeError(w, http.StatusRequestEntityTooLarge, "session data too large")
	case errors.Is(err, sessions.ErrUnsupportedValue):
		writeError(w, http.StatusBadRequest, unsupportedValue)
	case errors.Is(err, sessions.ErrNotSupported):
		writeError(w, http.StatusNotImplemented, "this store keeps no user index; log out with POST /api/logout")
	default:
		writeError(w, http.StatusInternalServerError, "session error")
	}
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

type sessionView struct {
	ID      string         `json:"id"`
	New     bool           `json:"new"`
	User    string         `json:"user"`
	Values  map[string]any `json:"values"`
	Created string         `json:"created"`
	CSRF    string         `json:"csrf"`
}

func (d *demo) session(w http.ResponseWriter, r *http.Request) {
	s := d.m.Start(w, r)
	isNew := s.IsNew()
	token := s.CSRFToken()
	if err := s.Save(); err != nil {
		storeFailed(w, err)
		return
	}
	writeJSON(w, http.StatusOK, sessionView{
		ID:      s.ID(),
		New:     isNew,
		User:    s.User(),
		Values:  s.GetAll(),
		Created: rfc3339(s.Created()),
		CSRF:    token,
	})
}

// decodeValue reads one JSON value, keeping integers as int. It refuses a
// number beyond float64 (it would be ±Inf, which GET /api/session cannot
// render) and nesting deeper than sessions.MaxDepth, which the encoding
// stores refuse at commit: refused up front, it is the same 400 whatever
// the -store. The caller caps what r holds.
func decodeValue(r io.Reader) (any, error) {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	// More would miss a stray ']' or '}': only the end of the body may
	// follow the value.
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("trailing data after the JSON value")
	}
	return normalize(v, 0)
}

func normalize(v any, depth int) (any, error) {
	if depth > sessions.MaxDepth {
		return nil, fmt.Errorf("nested deeper than %d", sessions.MaxDepth)
	}
	var err error
	switch x := v.(type) {
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return int(n), nil
		}
		f, err := x.Float64()
		if err != nil || math.IsInf(f, 0) {
			return nil, fmt.Errorf("number %.20s is out of range", x)
		}
		return f, nil
	case []any:
		for i := range x {
			if x[i], err = normalize(x[i], depth+1); err != nil {
				return nil, err
			}
		}
	case map[string]any:
		for k := range x {
			if x[k], err = normalize(x[k], depth+1); err != nil {
				return nil, err
			}
		}
	}
	return v, nil
}

func (d *demo) putValue(w http.ResponseWriter, r *http.Request) {
	v, err := decodeValue(http.MaxBytesReader(w, r.Body, maxBody))
	if tooLong := new(http.MaxBytesError); errors.As(err, &tooLong) {
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("body over %d bytes; store a smaller value", maxBody))
		return
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, "body must be one JSON value: "+err.Error())
		return
	}
	key := r.PathValue("key")
	if !validName(w, key) {
		return
	}
	d.m.Start(w, r).Set(key, v)
	w.WriteHeader(http.StatusNoContent)
}

// validName reports whether name, a value or user name from the request,
// is UTF-8 without NUL bytes, and else answers 400. Some stores could keep
// such a name, but not every one, and the session's JSON would show it as
// another name (invalid UTF-8 becomes U+FFFD), which the client could not
// address.
func validName(w http.ResponseWriter, name string) bool {
	if utf8.ValidString(name) && !strings.ContainsRune(name, 0) {
		return true
	}
	writeError(w, http.StatusBadRequest, unsupportedValue)
	return false
}

func (d *demo) deleteValue(w http.ResponseWriter, r *http.Request) {
	d.m.Start(w, r).Delete(r.PathValue("key"))
	w.WriteHeader(http.StatusNoContent)
}

func (d *demo) clearValues(w http.ResponseWriter, r *http.Request) {
	d.m.Start(w, r).Clear()
	w.WriteHeader(http.StatusNoContent)
}

func (d *demo) increment(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("key")
	if !validName(w, key) {
		return
	}
	n, err := d.m.Start(w, r).Increment(key, 1)
	if err != nil {
		storeFailed(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int64{"value": n})
}

func (d *demo) login(w http.ResponseWriter, r *http.Request) {
	var body struct {
		User string `json:"user"`
	}
	// MaxBytesReader, not a LimitReader: past the cap the decoder must meet
	// an error, not what looks like the end of the body.
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	err := dec.Decode(&body)
	if err == nil {
		// Only the end of the body may follow the object, as for a
		// value (decodeValue).
		if _, terr := dec.Token(); !errors.Is(terr, io.EOF) {
			err = errors.New("trailing data after the JSON object")
		}
	}
	if err != nil || body.User == "" || len(body.User) > 256 {
		writeError(w, http.StatusBadRequest, `body must be {"user": "name"} with a non-empty name of at most 256 bytes`)
		return
	}
	if !validName(w, body.User) {
		return
	}
	if err := d.m.Start(w, r).Login(body.User); err != nil {
		storeFailed(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (d *demo) logout(w http.ResponseWriter, r *http.Request) {
	d.m.Destroy(w, r)
	w.WriteHeader(http.StatusNoContent)
}

type sessionInfo struct {
	ID        string `json:"id"`
	Created   string `json:"created"`
	LastSeen  string `json:"last_seen"`
	UserAgent string `json:"user_agent"`
	Current   bool   `json:"current"`
}

// user returns the logged-in user, answering 401 when there is none.
func (d *demo) user(w http.ResponseWriter, r *http.Request) (*sessions.Session, string, bool) {
	s := d.m.Start(w, r)
	u := s.User()
	if u == "" {
		if err := s.Err(); err != nil {
			storeFailed(w, err)
			return nil, "", false
		}
		writeError(w, http.StatusUnauthorized, "not logged in: POST /api/login first")
		return nil, "", false
	}
	return s, u, true
}

func (d *demo) listSessions(w http.ResponseWriter, r *http.Request) {
	s, u, ok := d.user(w, r)
	if !ok {
		return
	}
	list, err := d.m.UserSessions(r.Context(), u)
	if err != nil {
		storeFailed(w, err)
		return
	}
	current := s.ID()
	out := make([]sessionInfo, 0, len(list))
	for _, in := range list {
		out = append(out, sessionInfo{
			ID:        in.Key,
			Created:   rfc3339(time.Unix(0, in.Created)),
			LastSeen:  rfc3339(time.Unix(0, in.LastSeen)),
			UserAgent: in.UserAgent,
			Current:   in.Key == current,
		})
	}
	writeJSON(w, http.StatusOK, out)
}

func (d *demo) revokeOne(w http.ResponseWriter, r *http.Request) {
	s, u, ok := d.user(w, r)
	if !ok {
		return
	}
	id := r.PathValue("id")
	if id == s.ID() {
		s.Destroy()
		w.WriteHeader(http.StatusNoContent)
		return
	}
	done, err := d.m.DestroySession(r.Context(), u, id)
	if err != nil {
		storeFailed(w, err)
		return
	}
	if !done {
		writeError(w, http.StatusNotFound, "no such session for this user")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (d *demo) revokeAll(w http.ResponseWriter, r *http.Request) {
	s, u, ok := d.user(w, r)
	if !ok {
		return
	}
	if _, err := d.m.DestroyUserSessions(r.Context(), u, s.ID()); err != nil {
		storeFailed(w, err)
		return
	}
	s.Destroy()
	w.WriteHeader(http.StatusNoContent)
}

var indexText = []byte(`sessions demo

Seed example:   GET /set  /get  /delete  /clear  /destroy
JSON API:       GET /api/session
                PUT|DELETE /api/session/values/{key}   DELETE /api/session/values
                POST /api/session/counters/{key}
                POST /api/login {"user": "alice"}      POST /api/logout
                GET /api/sessions   DELETE /api/sessions/{id}   DELETE /api/sessions
Unsafe methods need the X-CSRF-Token header with the "csrf" value of GET /api/session.
`)

func index(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.Copy(w, bytes.NewReader(indexText))
}
