package storeurl

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// FuzzSpec feeds -store specifications to the parts of Open that read
// them without opening anything: lowerScheme, boltPath, and Open itself for
// a scheme it does not know. The scheme's case does not count and the
// rest keeps its case; a bolt: specification gives a non-empty path or an
// ErrSpec error, "bolt:///P" the absolute path /P and "bolt://NAME" an
// error; an unknown scheme is an ErrSpec error that never carries the
// password in the URL's user information, as it ends up in logs, and
// neither does the error for bolt://USER:PASSWORD@HOST. Like FuzzRedact,
// it puts no raw whitespace in a URL's user information.
func FuzzSpec(f *testing.F) {
	f.Add("bolt", "./sessions.db", "")
	f.Add("BOLT", "///var/lib/s.db", "")
	f.Add("bolt", "//sessions.db", "")
	f.Add("bolt", "", "")
	f.Add("ftp", "//u:PASS@127.0.0.1/x", "s3cret")
	f.Add("Redis ", "//u:PASS@h:1/0", "x")
	f.Add("", "memory", "")
	const marker = "pWd9Q"
	known := map[string]bool{"memory": true, "redis": true, "rediss": true, "redis+cluster": true,
		"rediss+cluster": true, "postgres": true, "postgresql": true, "bolt": true, "cookie": true}
	f.Fuzz(func(t *testing.T, scheme, rest, pass string) {
		if strings.Contains(scheme, ":") {
			return
		}
		spec := scheme + ":" + rest
		low := lowerScheme(spec)
		if low != strings.ToLower(scheme)+":"+rest || lowerScheme(low) != low {
			t.Fatalf("lowerScheme(%q) = %q", spec, low)
		}
		switch s := strings.ToLower(scheme); {
		case s == "bolt":
			path, err := boltPath(low, rest)
			after, url := strings.CutPrefix(rest, "//")
			switch {
			case rest == "" || url && !strings.HasPrefix(after, "/"):
				if err == nil || !errors.Is(err, ErrSpec) {
					t.Fatalf("boltPath(%q) = %q, %v; want an ErrSpec error", spec, path, err)
				}
			case err != nil:
				t.Fatalf("boltPath(%q): %v; want a path", spec, err)
			case url && path != after, !url && path != rest, path == "":
				t.Fatalf("boltPath(%q) = %q", spec, path)
			}
			// bolt://USER:PASSWORD@HOST is refused without the password,
			// which, as in FuzzRedact, holds none of "@/?#" and no space.
			if strings.Contains(scheme+rest+pass, marker[:3]) || strings.ContainsAny(pass, "@/?# \t\n\r\v\f") {
				return
			}
			withPass := low[:len("bolt:")] + "//u:" + marker + pass + "@" + rest
			if _, err := boltPath(withPass, withPass[len("bolt:"):]); err == nil || strings.Contains(err.Error(), marker) {
				t.Fatalf("boltPath(%q): %v; want an error without the password", withPass, err)
			}
		case !known[s]:
			// A URL with a password in its user information, which
			// holds no raw whitespace (as in FuzzRedact).
			if strings.ContainsAny(pass, ":@/?#% \t\n\r\v\f") || strings.Contains(scheme+rest, marker[:3]) ||
				!strings.HasPrefix(rest, "//") || strings.ContainsAny(rest, "@?#") {
				return
			}
			user, host, _ := strings.Cut(rest[2:], "/")
			if strings.ContainsAny(user, ": \t\n\r\v\f") {
				return
			}
			spec = scheme + "://" + user + ":" + marker + pass + "@" + host
			st, closeStore, err := Open(context.Background(), spec, "")
			if st != nil || closeStore != nil || !errors.Is(err, ErrSpec) {
				t.Fatalf("Open(%q) = %v, %v; want an ErrSpec error", spec, st, err)
			}
			if strings.Contains(err.Error(), marker) {
				t.Fatalf("Open(%q): %q shows the password", spec, err)
			}
			if strings.ToLower(strings.ToUpper(scheme)) != s {
				return // not the same scheme in upper case ("ı" is "I")
			}
			if _, _, upper := Open(context.Background(), strings.ToUpper(scheme)+spec[len(scheme):], ""); upper == nil || upper.Error() != err.Error() {
				t.Fatalf("Open(%q) = %v, in upper case %v", spec, err, upper)
			}
		}
	})
}
