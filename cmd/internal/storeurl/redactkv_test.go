package storeurl

import (
	"strings"
	"testing"
)

// TestRedactKeyValuePasswordAnyText: a key/value connection string's
// password may hold any text. One holding "://" does not make the string a
// URL, and a backslash-escaped space (pgx and libpq read "a\ b" as one
// value) does not end it: Redact hides all of it and keeps the rest.
func TestRedactKeyValuePasswordAnyText(t *testing.T) {
	for _, tc := range []struct {
		spec string
		keep string
	}{
		{"host=/var/run/postgresql password=s3cret://x dbname=test", "dbname=test"},
		{"host=db password=ab://s3cret dbname=test", "dbname=test"},
		{"host=db password=s3cret\\ s3cret dbname=test", "dbname=test"},
		{"host=db options='-c a=://' password=s3cret", "options="},
	} {
		got := Redact(tc.spec)
		if strings.Contains(got, "s3cret") {
			t.Errorf("Redact(%q) = %q: the password is still there", tc.spec, got)
		}
		if !strings.Contains(got, "host=") || !strings.Contains(got, tc.keep) {
			t.Errorf("Redact(%q) = %q, want it to keep host= and %q", tc.spec, got, tc.keep)
		}
	}
}

// TestRedactTextNetURLReadsAsNoURL: text with "://" that net/url parses
// but not as a URL whose scheme ends at "://" ("#://..." is a fragment,
// "x?y://..." a path and a query, "redis:#://..." a scheme and a fragment)
// may hold a password after "://" all the same; Redact keeps only what
// precedes "://".
func TestRedactTextNetURLReadsAsNoURL(t *testing.T) {
	for _, spec := range []string{
		"#://alice:s3cret@db/test",
		"re?dis://:s3cret@127.0.0.1:6379/0",
		"redis:#://:s3cret@127.0.0.1:6379/0",
		"=://:s3cret@127.0.0.1:6379/0", // no URL: "=" comes first
	} {
		if got := Redact(spec); strings.Contains(got, "s3cret") {
			t.Errorf("Redact(%q) = %q: the password is still there", spec, got)
		}
	}
}
