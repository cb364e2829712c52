package sessions

import (
	"bytes"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
)

// CSRFOptions configures the request-forgery protection in Manager.Handler.
// Two layers guard every unsafe request (POST, PUT, PATCH, DELETE and any
// method other than GET, HEAD, OPTIONS, TRACE): net/http's
// CrossOriginProtection, which refuses requests the browser marks as
// cross-site through Sec-Fetch-Site or Origin, and a synchronizer token
// bound to the session, read from a header or form field only.
type CSRFOptions struct {
	// Disable turns both layers off, for APIs that authenticate otherwise.
	Disable bool

	// TrustedOrigins lists origins ("https://app.example.com", exact
	// scheme://host[:port]) allowed to send cross-origin unsafe requests.
	TrustedOrigins []string

	// Header is the request header carrying the token. Default
	// "X-CSRF-Token". It must be a header field name (an HTTP token: no
	// spaces, ':' or other separators); NewManager refuses any other.
	Header string

	// FormField is the form field carrying the token, for HTML forms.
	// Default "csrf_token". In a multipart/form-data body the field must
	// come within the first 10 MB (put it before the file inputs): the
	// check reads no further, and it leaves the body whole for the
	// handler, which parses or streams it under its own limits.
	FormField string

	// ExemptPatterns are http.ServeMux patterns (such as "POST /webhook")
	// exempt from both checks, for endpoints called by other servers. A
	// request is exempt only when ServeMux would route it to the pattern
	// itself (not through a redirect), and never when its path has an
	// escaped slash or an escaped "." or ".." segment, which routers that
	// route on the decoded path serve elsewhere.
	ExemptPatterns []string

	// FailureHandler answers a refused request. Default: 403 with the plain
	// text "Forbidden - CSRF check failed". It gets the request's session,
	// and what it does with it is stored as for a handler under Handler: a
	// page that renders the form again with a fresh CSRFToken works.
	FailureHandler http.Handler
}

type csrfGuard struct {
	off    bool
	cop    *http.CrossOriginProtection
	header string
	field  string
	exempt *http.ServeMux
	fail   http.Handler
}

func newCSRFGuard(o CSRFOptions) (*csrfGuard, error) {
	g := &csrfGuard{off: o.Disable, header: o.Header, field: o.FormField, fail: o.FailureHandler}
	if g.off {
		return g, nil
	}
	if g.header == "" {
		g.header = "X-CSRF-Token"
	}
	// A header name is a token, by the same rule as a cookie name. net/http
	// refuses a request carrying any other name (or reads it as another
	// header), so the token could never arrive in it.
	if !validCookieName(g.header) {
		return nil, fmt.Errorf("%w: CSRF.Header %q is not a header field name (letters, digits and !#$%%&'*+-.^_`|~, no spaces or ':'); leave it empty for X-CSRF-Token", ErrConfig, g.header)
	}
	if g.field == "" {
		g.field = "csrf_token"
	}
	if g.fail == nil {
		g.fail = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "Forbidden - CSRF check failed", http.StatusForbidden)
		})
	}
	g.cop = http.NewCrossOriginProtection()
	for _, origin := range o.TrustedOrigins {
		if err := g.cop.AddTrustedOrigin(origin); err != nil {
			return nil, fmt.Errorf("%w: CSRF.TrustedOrigins: %v (write scheme://host[:port])", ErrConfig, err)
		}
	}
	if len(o.ExemptPatterns) > 0 {
		g.exempt = http.NewServeMux()
		for _, p := range o.ExemptPatterns {
			if err := g.addExempt(p); err != nil {
				return nil, fmt.Errorf("%w: CSRF.ExemptPatterns: %v (write ServeMux patterns such as \"POST /webhook\", each once)", ErrConfig, err)
			}
		}
	}
	return g, nil
}

// addExempt registers the exempt pattern p with both checks. ServeMux (and
// so CrossOriginProtection) panics on a malformed pattern or one that
// conflicts with an earlier one; that is a configuration error here.
func (g *csrfGuard) addExempt(p string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("pattern %q: %v", p, r)
		}
	}()
	// The guard's own mux first: it refuses what the bypass would, before
	// the bypass is changed.
	g.exempt.Handle(p, exemptMatch)
	g.cop.AddInsecureBypassPattern(p)
	return nil
}

// exemptMatch is the handler behind every exempt pattern. A request is exempt
// only when the pattern mux routes it to exemptMatch itself: for "/hooks"
// under the pattern "POST /hooks/", or a path with dot segments, ServeMux.Handler
// returns a redirect together with a non-empty pattern, and such a request
// must still be checked (the same rule as CrossOriginProtection's bypass).
var exemptMatch http.Handler = new(exemptHandler)

type exemptHandler struct{ _ byte }

func (*exemptHandler) ServeHTTP(http.ResponseWriter, *http.Request) {}

// routedElsewhere reports whether u's path is one that routers disagree
// on: its escaped form has an escaped slash, or a segment that decodes to
// "." or "..". ServeMux, and so the exempt patterns, match the escaped
// form ("/hooks/..%2Fadmin" is under "/hooks/"), while a router that
// routes on the decoded path (gorilla/mux, gin by default) serves it at
// /admin. Such a path is never exempt.
func routedElsewhere(u *url.URL) bool {
	if u == nil || u.RawPath == "" {
		return false // the path has no escapes that change its meaning
	}
	if strings.Contains(u.RawPath, "%2F") || strings.Contains(u.RawPath, "%2f") {
		return true
	}
	for seg := range strings.SplitSeq(u.Path, "/") {
		if seg == "." || seg == ".." {
			return true
		}
	}
	return false
}

// notExempt returns a view of r for CrossOriginProtection's check whose
// path none of its bypass patterns matches: a trailing dot segment, which
// ServeMux answers with a redirect, never with a pattern's handler.
func notExempt(r *http.Request) *http.Request {
	u := *r.URL
	u.Path, u.RawPath = u.Path+"/..", u.RawPath+"/.."
	v := r.WithContext(r.Context())
	v.URL = &u
	return v
}

func safeMethod(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return true
	}
	return false
}

// allow runs both checks on an unsafe request and answers it with the
// failure handler when either fails.
func (g *csrfGuard) allow(s *Session, r *http.Request) bool {
	if g.off || safeMethod(r.Method) {
		return true
	}
	checked := r
	if g.exempt != nil {
		if routedElsewhere(r.URL) {
			checked = notExempt(r)
		} else if h, _ := g.exempt.Handler(r); h == exemptMatch {
			return true
		}
	}
	err := g.cop.Check(checked)
	if err == nil {
		err = g.checkToken(s, r)
	}
	if err == nil {
		return true
	}
	if s.Err() != nil {
		// The store failed: answer that, not a CSRF refusal, and do not
		// report one.
		s.rw.commit()
		return false
	}
	// Err loaded the session: naming it costs no store call.
	s.m.emit(r, EventCSRFFail, s.ID(), s.User(), nil)
	// The failure handler answers through Handler's writer, as the handler
	// would: what it does with the session (a fresh token for the form it
	// renders again, a flash message) is committed before its first byte.
	g.fail.ServeHTTP(s.rw.outer(), r)
	s.rw.finish()
	return false
}

var errCSRFToken = fmt.Errorf("sessions: missing or wrong CSRF token")

// checkToken checks the request's token against the session's secret. A
// session without a secret (a new one, say) has no token to match, so the
// body of its request is not parsed for one: an anonymous client cannot
// make the server read a form of up to 10 MB only to be refused.
func (g *csrfGuard) checkToken(s *Session, r *http.Request) error {
	secret := s.csrfSecret()
	if secret == nil {
		return errCSRFToken
	}
	token := r.Header.Get(g.header)
	if token == "" {
		switch ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct {
		case "application/x-www-form-urlencoded":
			token = r.PostFormValue(g.field) // net/http reads at most 10 MB
		case "multipart/form-data":
			token = multipartToken(r, params["boundary"], g.field)
		}
	}
	if token == "" || !tokenMatches(token, secret) {
		return errCSRFToken
	}
	return nil
}

// maxTokenSearch is how much of a multipart body the check reads, at most,
// looking for the token field: as much as net/http reads of an urlencoded
// form.
const maxTokenSearch = 10 << 20

// multipartToken returns the first value of the non-file field named field
// in r's multipart body, read from at most the body's first maxTokenSearch
// bytes. It does not parse the form for the handler: r.Body is replaced by
// the bytes read followed by the rest, so the handler reads the body as
// sent, with MultipartReader or ParseMultipartForm and under its own
// limits. ParseMultipartForm here would spool an upload of any size to
// disk before the token is even compared, and leave the handler no body
// to stream. A form parsed before the check (by an outer middleware) is
// used as it is.
func multipartToken(r *http.Request, boundary, field string) string {
	if r.MultipartForm != nil || r.PostForm != nil {
		return r.PostFormValue(field)
	}
	if boundary == "" || r.Body == nil || r.Body == http.NoBody {
		return ""
	}
	body := r.Body
	var seen bytes.Buffer
	defer func() {
		r.Body = replayBody{io.MultiReader(bytes.NewReader(seen.Bytes()), body), body}
	}()
	mr := multipart.NewReader(io.TeeReader(io.LimitReader(body, maxTokenSearch), &seen), boundary)
	for {
		p, err := mr.NextPart()
		if err != nil {
			return ""
		}
		// As ParseMultipartForm files them: a part with a file name is a
		// file, not a value.
		if p.FormName() != field || p.FileName() != "" {
			continue
		}
		// A token is 86 bytes; a longer value cannot match.
		v, err := io.ReadAll(io.LimitReader(p, 1<<10))
		if err != nil {
			return ""
		}
		return string(v)
	}
}

// replayBody is a request body that reads on from Reader and closes the
// original body.
type replayBody struct {
	io.Reader
	io.Closer
}

const csrfSecretLen = 32

// CSRFToken returns a token to embed in the page (a hidden form field or a
// meta tag read by scripts) and send back in the X-CSRF-Token header or the
// csrf_token field. The token is masked with a fresh random pad on every
// call, so it differs in every response (BREACH) while all of them verify
// against the session's one secret. The first call stores the secret, and so
// the session; it also replaces a stored secret the manager did not mint
// (from a damaged or foreign record), which would verify no token. It
// returns "" when the secret cannot be stored: the store failed, or under
// Handler the response has started and cannot carry the change (a new
// session's cookie, or any change with the cookie store; see
// ErrResponseStarted), since a token of an unstored secret never verifies.
func (s *Session) CSRFToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	if s.err != nil {
		return ""
	}
	secret := decodeSecret(s.meta.CSRF)
	if secret == nil {
		// None yet, or one the manager did not mint (a damaged or foreign
		// record), which verifies no token: mint one, replacing it.
		old := s.meta.CSRF
		var b [csrfSecretLen]byte
		if _, err := io.ReadFull(s.m.rand, b[:]); err != nil {
			return ""
		}
		s.setMeta().CSRF = base64.RawURLEncoding.EncodeToString(b[:])
		s.chg.MetaFields |= MetaCSRF
		if err := s.changed(); err != nil {
			// Not stored: the session keeps no secret it could not store.
			s.setMeta().CSRF = old
			return ""
		}
		secret = b[:]
	}
	return maskToken(s.m.rand, secret)
}

// decodeSecret returns the CSRF secret stored as v, or nil when v is not
// one the manager mints: csrfSecretLen bytes in base64url.
func decodeSecret(v string) []byte {
	if v == "" {
		return nil
	}
	b, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil || len(b) != csrfSecretLen {
		return nil
	}
	return b
}

func (s *Session) csrfSecret() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	if s.err != nil {
		return nil
	}
	return decodeSecret(s.meta.CSRF)
}

// maskToken returns base64url(pad || pad XOR secret) with a random pad.
func maskToken(r io.Reader, secret []byte) string {
	buf := make([]byte, 2*len(secret))
	if _, err := io.ReadFull(r, buf[:len(secret)]); err != nil {
		return ""
	}
	for i, c := range secret {
		buf[len(secret)+i] = buf[i] ^ c
	}
	return base64.RawURLEncoding.EncodeToString(buf)
}

// tokenMatches unmasks token and compares it with secret in constant time.
func tokenMatches(token string, secret []byte) bool {
	if len(token) != base64.RawURLEncoding.EncodedLen(2*len(secret)) {
		return false
	}
	// Strict: the unused bits of the last character must be zero, so a
	// token is accepted only as it was issued, not in other spellings.
	buf, err := base64.RawURLEncoding.Strict().DecodeString(token)
	if err != nil || len(buf) != 2*len(secret) {
		return false
	}
	n := len(secret)
	for i := range n {
		buf[i] ^= buf[n+i]
	}
	return subtle.ConstantTimeCompare(buf[:n], secret) == 1
}
