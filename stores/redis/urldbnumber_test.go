package redis

import (
	"errors"
	"strings"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestNewFromURLDatabaseNumber: the URL path is a database number, 0 or
// more. go-redis parses "/-1" as database -1 and then selects no database
// at all, so the store would silently share database 0 with whatever lives
// there; "/abc" is not a number. NewFromURL refuses both with an ErrConfig
// that names the database. A number over the server's "databases" setting
// needs the server to tell: its commands fail with "ERR DB index is out of
// range".
func TestNewFromURLDatabaseNumber(t *testing.T) {
	for _, tc := range []struct {
		path string
		ok   bool
	}{
		{path: "", ok: true},
		{path: "/", ok: true},
		{path: "/0", ok: true},
		{path: "/15", ok: true},
		{path: "/-1", ok: false},
		{path: "/abc", ok: false},
		{path: "/1.5", ok: false},
	} {
		u := "redis://127.0.0.1:6379" + tc.path
		s, err := NewFromURL(u)
		if tc.ok {
			if err != nil {
				t.Errorf("NewFromURL(%q): %v", u, err)
			} else {
				s.Close()
			}
			continue
		}
		if err == nil {
			s.Close()
			t.Errorf("NewFromURL(%q) accepted database %q; want an ErrConfig", u, tc.path[1:])
			continue
		}
		if !errors.Is(err, sessions.ErrConfig) || !strings.Contains(err.Error(), "database") {
			t.Errorf("NewFromURL(%q): %v; want an ErrConfig naming the database", u, err)
		}
	}
}
