package storeurl

import (
	"strings"
	"testing"
)

// TestRedactUserinfoWithWhitespace: text Redact does not read as a URL
// (a key/value string, where "=" comes before "://") may still hold
// what looks like a URL's user information; a password there holding
// raw whitespace is hidden too, not only the part before the whitespace.
func TestRedactUserinfoWithWhitespace(t *testing.T) {
	for _, spec := range []string{
		"host=db opt=://u:pWd9Q s3cret@h dbname=test",
		"host=db opt=://u:pWd9Q\ts3cret@h",
		"=://:pWd9Q\ns3cret@127.0.0.1:6379/0",
		"=://u:pWd9Q\vs3cret\f@h",
	} {
		if got := Redact(spec); strings.Contains(got, "pWd9Q") || strings.Contains(got, "s3cret") {
			t.Errorf("Redact(%q) = %q: the password is still there", spec, got)
		}
	}
}
