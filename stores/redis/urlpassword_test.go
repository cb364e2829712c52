package redis

import (
	"errors"
	"strings"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestNewFromURLErrorsHideThePassword: a URL NewFromURL refuses is named in
// its error without its password, whichever part of the URL is wrong. A
// port or escape net/url cannot parse made go-redis's own error, which
// quotes the whole URL, carry the password into logs and sessionsctl's
// output; text net/url parses but not as a URL with an authority (a
// fragment, an opaque URL) kept it in NewFromURL's own message.
func TestNewFromURLErrorsHideThePassword(t *testing.T) {
	const pw = "s3cretPW"
	for _, u := range []string{
		"redis://u:" + pw + "@127.0.0.1:637x/0",
		"redis://u:" + pw + "%zz@127.0.0.1:6379/0",
		"redis://:" + pw + "@127.0.0.1:6379/zz",
		"redis://:" + pw + "@127.0.0.1:6379/0?read_timeout=zz",
		"rediss://u:" + pw + "@[::1/0",
		"redis+cluster://u:" + pw + "%zz@h1:1,h2:2",
		"redis+cluster://u:" + pw + "@h1:x,h2:2",
		"redis+cluster://u:" + pw + "@h1:1,h2:2?foo=bar",
		"rediss+cluster://:" + pw + "@[::1:7000,[::1]:7001",
		// Not URLs with an authority, which net/url parses all the same.
		"#://u:" + pw + "@h:6379",
		"redis:u:" + pw + "@h:6379",
		"re?dis://u:" + pw + "@h:6379",
		"redis:#://u:" + pw + "@h:6379",
		// A password holding a raw "@": all of it up to the last "@" goes.
		"redis:u:p@" + pw + "@h:6379",
		"#://u:p@" + pw + "@h:6379",
		"redis://u:p@" + pw + "@h:637x",
	} {
		s, err := NewFromURL(u)
		if err == nil {
			s.Close()
			t.Errorf("NewFromURL(%q) = nil error, want one", u)
			continue
		}
		if !errors.Is(err, sessions.ErrConfig) {
			t.Errorf("NewFromURL(%q) = %v, want ErrConfig", u, err)
		}
		if strings.Contains(err.Error(), pw) {
			t.Errorf("NewFromURL(%q) error shows the password: %v", u, err)
		}
	}
}
