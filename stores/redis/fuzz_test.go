package redis

import (
	"errors"
	"strings"
	"testing"

	"github.com/sessionkit/sessions"
)

// FuzzDecodeRecord feeds arbitrary hash contents to the decoder Load uses:
// it returns a record or an ErrCorrupt error, never panics.
func FuzzDecodeRecord(f *testing.F) {
	f.Add("v:name", "skataras", "m:e", "0")
	f.Add("v:l", "L\x02\x02s1\x011", "m:c", "12")
	f.Add("m:to", "abc", "m:v", "2")
	f.Add("v:m", "M\xff\xff\xff\xff\x0f", "x", "")
	f.Fuzz(func(t *testing.T, f1, v1, f2, v2 string) {
		h := map[string]string{fVersion: formatVersion, f1: v1, f2: v2}
		rec, err := decodeRecord(h, 1<<10)
		if err != nil {
			if !errors.Is(err, sessions.ErrCorrupt) {
				t.Fatalf("error %v does not wrap ErrCorrupt", err)
			}
			return
		}
		for i := 1; i < len(rec.Fields); i++ {
			if rec.Fields[i-1].Key >= rec.Fields[i].Key {
				t.Fatalf("fields out of order: %v", rec.Fields)
			}
		}
	})
}

// FuzzNewFromURL feeds store URLs with a password to NewFromURL. The
// password begins with a marker found nowhere else in the URL: whatever
// NewFromURL makes of the rest, it returns a store or an error wrapping
// sessions.ErrConfig, and the error never carries the password, as it ends
// up in logs and in sessionsctl's output. No server is contacted.
func FuzzNewFromURL(f *testing.F) {
	for _, s := range [][4]string{
		{"redis", "u", "secret", "127.0.0.1:6379/0"},
		{"redis", "", "secret", "host:badport/0"},
		{"rediss", "u", "s%zz", "127.0.0.1:6379/0"},
		{"redis", "u", "secret", "127.0.0.1:6379/x?read_timeout=zz"},
		{"redis", "u", "secret", "127.0.0.1:6379/0?dialer_retries=many&key_prefix=app:"},
		{"redis+cluster", "u", "secret", "h1:7000,h2:7001?max_retries=2"},
		{"rediss+cluster", "", "secret", "[::1]:7000,[::1/0"},
		{"redis+cluster", "u", "secret", "h1:x,h2:7001/3"},
		{"redis", "u", "secret", "[::1/0"},
		{"http", "u", "secret", "h:1"},
	} {
		f.Add(s[0], s[1], s[2], s[3])
	}
	const marker = "pWd9Q"
	f.Fuzz(func(t *testing.T, scheme, user, password, rest string) {
		// The password ends at the first character that ends a URL's
		// user information; past it the marker is no password.
		if strings.ContainsAny(user+password, ":@/?#") || strings.Contains(scheme+user+rest, marker[:3]) {
			return
		}
		password = marker + password
		raw := scheme + "://" + user + ":" + password + "@" + rest
		s, err := NewFromURL(raw)
		if err == nil {
			s.Close()
			return
		}
		if !errors.Is(err, sessions.ErrConfig) {
			t.Fatalf("NewFromURL(%q): error %v does not wrap ErrConfig", raw, err)
		}
		if strings.Contains(err.Error(), marker[:3]) {
			t.Fatalf("NewFromURL(%q): the error carries the password: %v", raw, err)
		}
	})
}
