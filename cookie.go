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
	switch p.sameSite {
	case http.SameSiteLaxMode, http.SameSiteStrictMode, http.SameSiteNoneMode:
	default:
		// net/http writes no SameSite attribute for any other value.
		return bad("Options.SameSite has unknown value %d; use http.SameSiteLaxMode, SameSiteStrictMode or SameSiteNoneMode", p.sameSite)
	}
	// net/http drops a Domain it cannot write, and the bytes of a Path it
	// cannot write, from every Set-Cookie (with a log line): refuse them here.
	if p.domain != "" && (&http.Cookie{Name: p.name, Domain: p.domain}).Valid() != nil {
		return bad("Options.Domain %q is not a cookie domain: give a host name (or IPv4 address) without scheme, port or path", p.domain)
	}
	if (&http.Cookie{Name: p.name, Path: p.path}).Valid() != nil {
		return bad("Options.Path %q holds a byte a cookie path cannot carry (a control character or ';')", p.path)
	}
	if p.secure < SecureAlways || p.secure > SecureNever {
		return bad("Options.Secure has unknown value %d", p.secure)
	}
	if p.secure != SecureAlways && !o.AllowInsecure {
		return bad("Options.Secure other than SecureAlways sends the session ID over plain HTTP; set Options.AllowInsecure to confirm (development only)")
	}
	mustSecure := func(what string) error {
		if p.secure != SecureAlways {
			_, err := bad("%s requires Options.Secure = SecureAlways", what)
			return err
		}
		return nil
	}
	// The prefixes are the usual reason an opt-out from Secure fails, and
	// the default name has one: say which setting to change.
	prefixed := func(prefix string) error {
		if p.secure == SecureAlways {
			return nil
		}
		_, err := bad("Options.CookieName %q: the %s prefix requires Options.Secure = SecureAlways; to send the cookie without Secure, give a name without the prefix (the default %q has it, and Options.HostPrefix adds it)",
			p.name, prefix, DefaultCookieName)
		return err
	}
	if hasPrefixFold(p.name, "__Host-") {
		if err := prefixed("__Host-"); err != nil {
			return p, err
		}
		// The default name has the prefix, and HostPrefix adds it: name
		// the cookie's name as a setting to change, beside the attribute.
		if p.domain != "" {
			return bad("Options.Domain %q: the cookie's name %q has the __Host- prefix, which forbids a Domain; leave Domain empty (a host-only cookie), or give Options.CookieName a name without the prefix (the default %q has it, and Options.HostPrefix adds it)",
				p.domain, p.name, DefaultCookieName)
		}
		if p.path != "/" {
			return bad("Options.Path %q: the cookie's name %q has the __Host- prefix, which requires Path \"/\"; leave Path empty, or give Options.CookieName a name without the prefix (the default %q has it, and Options.HostPrefix adds it)",
				p.path, p.name, DefaultCookieName)
		}
	}
	if hasPrefixFold(p.name, "__Secure-") {
		if err := prefixed("__Secure-"); err != nil {
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
			var v string
			var match bool
			v, line, match = nextCookie(line, name)
			if !match || v == "" {
				continue // an empty value carries no ID, so it is no second one either
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

// nextCookie cuts the first cookie-pair off line (the value of a Cookie
// header) and returns the rest of the line, and the pair's value, unquoted,
// if its name is name.
func nextCookie(line, name string) (v, rest string, match bool) {
	part := line
	if i := strings.IndexByte(line, ';'); i >= 0 {
		part, rest = line[:i], line[i+1:]
	}
	// Trimmed as net/http trims (textproto.TrimString: space, tab, CR, LF;
	// not the other Unicode spaces strings.TrimSpace takes), so both read
	// the same cookies.
	part = textproto.TrimString(part)
	eq := strings.IndexByte(part, '=')
	if eq < 0 || textproto.TrimString(part[:eq]) != name {
		return "", rest, false
	}
	return unquote(part[eq+1:]), rest, true
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
	p.dropSetCookie(w.Header())
	http.SetCookie(w, c)
}

// expire tells the browser to drop the session cookie: same name, path and
// domain, Max-Age=0.
func (p *cookiePolicy) expire(w http.ResponseWriter, r *http.Request) {
	c := p.cookie(r, "")
	c.MaxAge = -1
	noStore(w)
	p.dropSetCookie(w.Header())
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
// 4.1.1), and not one 4 KB copy of the session per change. A line for the
// same name at another Path or Domain is another cookie, and stays.
func (p *cookiePolicy) dropSetCookie(h http.Header) {
	lines := h["Set-Cookie"]
	kept := lines[:0]
	for _, l := range lines {
		if _, own := p.owns(l); !own {
			kept = append(kept, l)
		}
	}
	if len(kept) == 0 {
		h.Del("Set-Cookie")
		return
	}
	h["Set-Cookie"] = kept
}

// owns reports whether the Set-Cookie line l sets the session cookie: the
// policy's name, Path and Domain, which together make the cookie a browser
// replaces. A line for the name at another Path or Domain (an application
// expiring a cookie left from an earlier setting, say) is not the session
// cookie. It also returns the line's value.
func (p *cookiePolicy) owns(l string) (value string, ok bool) {
	rest, found := strings.CutPrefix(l, p.name)
	if !found || !strings.HasPrefix(rest, "=") {
		return "", false
	}
	value, attrs, _ := strings.Cut(rest[1:], ";")
	var path, domain string
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
	return value, path == p.path && strings.EqualFold(domain, strings.TrimPrefix(p.domain, "."))
}
