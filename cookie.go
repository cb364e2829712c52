package sessions

import (
	"fmt"
	"net/http"
	"net/textproto"
	"strings"
	"time"
)

// DefaultCookieName is the session cookie's name unless Options.CookieName
// says otherwise: generic, and host-locked by its prefix.
const DefaultCookieName = "__Host-id"

// maxCookieAge is the longest lifetime browsers honour (RFC 6265bis): 400 days.
const maxCookieAge = 400 * 24 * time.Hour

// cookiePolicy is the validated cookie configuration.
type cookiePolicy struct {
	name        string
	domain      string
	path        string
	sameSite    http.SameSite
	secure      SecureMode
	httpOnly    bool
	partitioned bool
	persist     bool
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// newCookiePolicy validates the cookie options; every rule broken is an
// ErrConfig naming the field.
func newCookiePolicy(o *Options) (cookiePolicy, error) {
	p := cookiePolicy{
		name:        o.CookieName,
		domain:      o.Domain,
		path:        o.Path,
		sameSite:    o.SameSite,
		secure:      o.Secure,
		httpOnly:    !o.AllowScriptAccess,
		partitioned: o.Partitioned,
		persist:     o.Persist,
	}
	if p.name == "" {
		p.name = DefaultCookieName
	}
	if o.HostPrefix && !hasPrefixFold(p.name, "__Host-") {
		p.name = "__Host-" + p.name
	}
	if p.path == "" {
		p.path = "/"
	}
	if p.sameSite == 0 || p.sameSite == http.SameSiteDefaultMode {
		p.sameSite = http.SameSiteLaxMode
	}
	bad := func(format string, args ...any) (cookiePolicy, error) {
		return p, fmt.Errorf("%w: "+format, append([]any{ErrConfig}, args...)...)
	}
	if !validCookieName(p.name) {
		return bad("Options.CookieName %q is not a valid cookie name", p.name)
	}
	if p.secure != SecureAlways && !o.AllowInsecure {
		return bad("Options.Secure other than SecureAlways sends the session ID over plain HTTP; set Options.AllowInsecure to confirm (development only)")
	}
	if p.secure < SecureAlways || p.secure > SecureNever {
		return bad("Options.Secure has unknown value %d", p.secure)
	}
	mustSecure := func(what string) error {
		if p.secure != SecureAlways {
			_, err := bad("%s requires Options.Secure = SecureAlways", what)
			return err
		}
		return nil
	}
	if hasPrefixFold(p.name, "__Host-") {
		if err := mustSecure("cookie name prefix __Host-"); err != nil {
			return p, err
		}
		if p.domain != "" {
			return bad("a __Host- cookie cannot have Options.Domain (%q); drop the Domain or the prefix", p.domain)
		}
		if p.path != "/" {
			return bad("a __Host- cookie must have Path \"/\", not %q", p.path)
		}
	}
	if hasPrefixFold(p.name, "__Secure-") {
		if err := mustSecure("cookie name prefix __Secure-"); err != nil {
			return p, err
		}
	}
	if p.sameSite == http.SameSiteNoneMode {
		if err := mustSecure("Options.SameSite = None"); err != nil {
			return p, err
		}
	}
	if p.partitioned {
		if err := mustSecure("Options.Partitioned"); err != nil {
			return p, err
		}
	}
	if !strings.HasPrefix(p.path, "/") {
		return bad("Options.Path %q must start with /", p.path)
	}
	return p, nil
}

func validCookieName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte("()<>@,;:\\\"/[]?={}", c) >= 0 {
			return false
		}
	}
	return true
}

// cookieValues scans the request's Cookie headers for the session cookie
// without allocating for the common case. It returns up to two distinct
// values in the order sent, and whether more than one distinct value was
// present. An empty value (name= or name="") carries no ID and is skipped.
func cookieValues(r *http.Request, name string) (first, second string, dup bool) {
	n := 0
	for _, line := range r.Header["Cookie"] {
		for len(line) > 0 {
			var part string
			if i := strings.IndexByte(line, ';'); i >= 0 {
				part, line = line[:i], line[i+1:]
			} else {
				part, line = line, ""
			}
			// Trimmed as net/http trims (textproto.TrimString: space, tab,
			// CR, LF; not the other Unicode spaces strings.TrimSpace
			// takes), so both read the same cookies.
			part = textproto.TrimString(part)
			eq := strings.IndexByte(part, '=')
			if eq < 0 || textproto.TrimString(part[:eq]) != name {
				continue
			}
			v := unquote(part[eq+1:])
			if v == "" {
				continue // carries no ID, so it is no second one either
			}
			switch {
			case n == 0:
				first, n = v, 1
			case v == first || (n == 2 && v == second):
			case n == 1:
				second, n, dup = v, 2, true
			default:
				dup = true
			}
		}
	}
	return first, second, dup
}

// unquote strips the double quotes a cookie value may be sent in.
func unquote(v string) string {
	if len(v) > 1 && v[0] == '"' && v[len(v)-1] == '"' {
		return v[1 : len(v)-1]
	}
	return v
}

func (p *cookiePolicy) cookie(r *http.Request, value string) *http.Cookie {
	return &http.Cookie{
		Name:        p.name,
		Value:       value,
		Path:        p.path,
		Domain:      p.domain,
		Secure:      p.secure == SecureAlways || (p.secure == SecureIfTLS && r.TLS != nil),
		HttpOnly:    p.httpOnly,
		SameSite:    p.sameSite,
		Partitioned: p.partitioned,
	}
}

// set issues the session cookie. With Persist, its Max-Age is the time left
// until the absolute deadline, capped at 400 days.
func (p *cookiePolicy) set(w http.ResponseWriter, r *http.Request, id string, until time.Duration) {
	c := p.cookie(r, id)
	if p.persist {
		c.MaxAge = int(min(until, maxCookieAge) / time.Second)
		if c.MaxAge <= 0 {
			c.MaxAge = -1
		}
	}
	noStore(w)
	dropSetCookie(w.Header(), p.name)
	http.SetCookie(w, c)
}

// expire tells the browser to drop the session cookie: same name, path and
// domain, Max-Age=0.
func (p *cookiePolicy) expire(w http.ResponseWriter, r *http.Request) {
	c := p.cookie(r, "")
	c.MaxAge = -1
	noStore(w)
	dropSetCookie(w.Header(), p.name)
	http.SetCookie(w, c)
}

// noStore marks a response that sets or clears the session cookie as
// uncacheable by any cache.
func noStore(w http.ResponseWriter) {
	h := w.Header()
	if rw, ok := w.(*responseWriter); ok {
		// Inside the middleware the values live in the Session: no
		// allocation for either header.
		s := rw.s
		s.noStore[0], s.vary[0] = "no-store", "Cookie"
		h["Cache-Control"] = s.noStore[:1:1]
		addVaryTo(h, s.vary[:1:1])
		return
	}
	h.Set("Cache-Control", "no-store")
	addVary(h)
}

func addVary(h http.Header) { addVaryTo(h, nil) }

// varyListsCookie reports whether the Vary value v (a comma-separated list
// of field names) names the Cookie field itself: "X-Cookie-Consent" or
// "Set-Cookie" do not. Field names are case-insensitive.
func varyListsCookie(v string) bool {
	for len(v) > 0 {
		var f string
		if i := strings.IndexByte(v, ','); i >= 0 {
			f, v = v[:i], v[i+1:]
		} else {
			f, v = v, ""
		}
		if strings.EqualFold(strings.TrimSpace(f), "Cookie") {
			return true
		}
	}
	return false
}

// addVaryTo adds "Vary: Cookie" unless h has it. When h has no Vary header
// at all and cookie (a one-element slice holding "Cookie", len == cap) is
// given, it becomes the header's value as is, sparing an allocation.
func addVaryTo(h http.Header, cookie []string) {
	vs, ok := h["Vary"]
	for _, v := range vs {
		if varyListsCookie(v) {
			return
		}
	}
	if !ok && cookie != nil {
		h["Vary"] = cookie
		return
	}
	h.Add("Vary", "Cookie")
}

// dropSetCookie removes the session cookie's Set-Cookie lines an earlier
// commit in this response added (write-through mode, Save, Destroy then a
// new session), so the response
// carries only the latest value: one cookie name once (RFC 6265 section
// 4.1.1), and not one 4 KB copy of the session per change.
func dropSetCookie(h http.Header, name string) {
	lines := h["Set-Cookie"]
	kept := lines[:0]
	for _, l := range lines {
		if !strings.HasPrefix(l, name+"=") {
			kept = append(kept, l)
		}
	}
	if len(kept) == 0 {
		h.Del("Set-Cookie")
		return
	}
	h["Set-Cookie"] = kept
}
