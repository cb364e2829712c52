package storeurl

import (
	"strings"
	"testing"
)

// TestRedact checks that Redact leaves no password in a store
// specification it is given for a log line or an error message, wherever
// the URL carries it, and leaves specifications without one as they are.
func TestRedact(t *testing.T) {
	for _, tc := range []struct {
		spec string
		keep []string // what must still be there
	}{
		{"memory", []string{"memory"}},
		{"bolt:./sessions.db", []string{"bolt:./sessions.db"}},
		{"redis://127.0.0.1:6379/0", []string{"redis://127.0.0.1:6379/0"}},
		{"redis://:s3cret@127.0.0.1:6379/0", []string{"redis://", "127.0.0.1:6379/0"}},
		{"redis+cluster://:s3cret@h1:7000,h2:7001", []string{"redis+cluster://", "h1:7000"}},
		{"postgres://alice:s3cret@db:5432/test?sslmode=disable", []string{"postgres://alice:", "db:5432/test", "sslmode=disable"}},
		// pgx takes the password as a query parameter too.
		{"postgres://alice@db:5432/test?password=s3cret&sslmode=disable", []string{"postgres://alice@db:5432/test", "sslmode=disable"}},
		{"postgresql://db/test?user=alice&password=s3cret", []string{"postgresql://db/test", "user=alice"}},
		{"postgres://alice@db/test?sslmode=verify-full&sslpassword=s3cret", []string{"postgres://alice@db/test", "sslmode=verify-full"}},
		// A password net/url cannot parse (a stray %) is still a password.
		{"postgres://alice:s3cret%zz@db:5432/test", []string{"postgres://"}},
	} {
		t.Run(tc.spec, func(t *testing.T) {
			got := Redact(tc.spec)
			if strings.Contains(got, "s3cret") {
				t.Errorf("Redact(%q) = %q: the password is still there", tc.spec, got)
			}
			for _, k := range tc.keep {
				if !strings.Contains(got, k) {
					t.Errorf("Redact(%q) = %q, want it to keep %q", tc.spec, got, k)
				}
			}
		})
	}
}
