package storeurl

import (
	"regexp"
	"strings"
	"testing"
)

// FuzzRedact builds store specifications with a password where a store
// takes one (a URL's user information, a password or sslpassword query
// parameter, a key/value connection string's password, bare or quoted) and
// asserts that Redact hides it whatever surrounds it. A URL starts with a
// scheme; a password in a URL holds no raw whitespace. The password begins
// and ends with markers found nowhere else in the text: no part of it may
// survive. A specification with no
// password anywhere (no user information, no "password") comes back as it
// was. Every crasher it found is kept in testdata/fuzz/FuzzRedact.
func FuzzRedact(f *testing.F) {
	for _, s := range []struct {
		form            uint8
		pre, pass, post string
	}{
		{0, "postgres://alice", "s3cret", "db:5432/test?sslmode=disable"},
		{0, "redis+cluster://", "s3cret", "h1:7000,h2:7001"},
		{0, "postgres://alice", "s3cret%zz", "db/test"},
		{1, "postgres://alice@db:5432/test?sslmode=disable", "s3cret", ""},
		{1, "postgresql://db/test?user=alice", "50%off", "sslmode=verify-full"},
		{2, "host=db user=alice", "s3cret", "dbname=test"},
		{2, "host=/var/run/postgresql", "ab://cd", ""},
		{2, "host=db", `a\ b`, "dbname=test"},
		{3, "host=db", `s3cret with spaces`, "dbname=test"},
		{3, "host=db options='-c a=://'", `it\'s`, ""},
	} {
		f.Add(s.form, s.pre, s.pass, s.post)
	}
	f.Add(uint8(4), "memory", "", "")
	f.Add(uint8(4), "bolt:./sessions.db", "", "")
	f.Add(uint8(4), "redis://127.0.0.1:6379/0", "", "")
	const marker, end = "pWd9Q", "Zq7Xj"
	f.Fuzz(func(t *testing.T, form uint8, pre, pass, post string) {
		if strings.Contains(pre+post, marker[:3]) || strings.Contains(pre+post, end[:3]) {
			return
		}
		var spec string
		if form%5 < 2 && !storeURL.MatchString(pre) {
			return // forms 0 and 1 are URLs: a scheme, then "://"
		}
		switch form % 5 {
		case 0: // URL user information: pre is scheme://user
			if strings.ContainsAny(pass, "@/?# \t\n\r\v\f") || !strings.Contains(pre, "://") ||
				strings.ContainsAny(pre[strings.Index(pre, "://")+3:], ":@/?#") {
				return
			}
			spec = pre + ":" + marker + pass + end + "@" + post
		case 1: // query parameter: pre is a URL up to its query
			if strings.ContainsAny(pre, "#") || strings.ContainsAny(pass, "&# \t\n\r\v\f") || strings.Contains(post, "#") {
				return
			}
			key := []string{"password", "sslpassword", "Password"}[len(pass)%3]
			spec = pre + "&" + key + "=" + marker + pass + end + "&" + post
			if !strings.Contains(pre, "?") {
				spec = pre + "?" + key + "=" + marker + pass + end + "&" + post
			}
		case 2: // key/value, bare value: backslash escapes the next character
			if !escapedUntil(pass, " \t\n\r\v\f") {
				return
			}
			spec = pre + " password=" + marker + pass + end + " " + post
		case 3: // key/value, quoted value with backslash escapes
			if !escapedUntil(pass, "'") {
				return
			}
			spec = pre + " password='" + marker + pass + end + "' " + post
		case 4: // no password anywhere
			spec = pre + pass + post
			if strings.Contains(spec, "@") || strings.Contains(strings.ToLower(spec), "password") {
				return
			}
			if got := Redact(spec); got != spec && !strings.Contains(spec, "://") {
				t.Fatalf("Redact(%q) = %q, want it unchanged: it holds no password", spec, got)
			}
			return
		}
		if form%5 >= 2 {
			// A key/value string's first keyword ends at its first "=";
			// "://" before that makes the text a URL (see Redact).
			if sep := strings.Index(spec, "://"); sep >= 0 && sep < strings.IndexByte(spec, '=') {
				return
			}
		}
		if got := Redact(spec); strings.Contains(got, marker[:3]) || strings.Contains(got, end[:3]) {
			t.Fatalf("Redact(%q) = %q: the password is still there", spec, got)
		}
	})
}

// storeURL matches the start of a URL: an RFC 3986 scheme and "://".
var storeURL = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*://`)

// escapedUntil reports whether every character of s in stop is escaped
// with a backslash, as in a key/value connection string's value, so that s
// stays one value.
func escapedUntil(s, stop string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			i++
			continue
		}
		if strings.IndexByte(stop, s[i]) >= 0 {
			return false
		}
	}
	return true
}
