package storeurl

import (
	"context"
	"os"
	"path/filepath"
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

// TestRedactQueryPasswordNetURLCannotDecode: a password query parameter
// that net/url cannot decode (a stray %, as in a password holding a
// literal percent sign) is still a password, and must not reach a log
// line or an error message; url.Values drops such a pair silently.
func TestRedactQueryPasswordNetURLCannotDecode(t *testing.T) {
	for _, spec := range []string{
		"postgres://alice@db:5432/test?sslmode=disable&password=s3cret%zz",
		"postgres://db/test?password=50%off-s3cret",
		"postgres://alice:pw@db/test?sslpassword=s3cret%",
	} {
		got := Redact(spec)
		if strings.Contains(got, "s3cret") {
			t.Errorf("Redact(%q) = %q: the password is still there", spec, got)
		}
		if !strings.Contains(got, "db") {
			t.Errorf("Redact(%q) = %q, want it to keep the host", spec, got)
		}
	}
}

// TestRedactKeyValueDSN: pgx also takes a key/value connection string, so
// a user may pass one to -store; Open refuses it as an unknown store and
// names it in the error, which must not carry its password.
func TestRedactKeyValueDSN(t *testing.T) {
	for _, spec := range []string{
		"host=db user=alice password=s3cret dbname=test",
		"host=db password='s3cret with spaces' dbname=test",
		"host=db sslpassword = s3cret",
	} {
		if got := Redact(spec); strings.Contains(got, "s3cret") || !strings.Contains(got, "host=db") {
			t.Errorf("Redact(%q) = %q: want the password hidden and the rest kept", spec, got)
		}
		_, _, err := Open(context.Background(), spec, "")
		if err == nil || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("Open(%q) error = %v: want an error without the password", spec, err)
		}
	}
}

// TestOpenBoltDoubleSlash: bolt:PATH takes a path, but a URL-style
// bolt://NAME must not open /NAME: "bolt://sessions.db" would otherwise put
// the sessions in /sessions.db, at the root of the file system. It is
// refused; bolt:///ABSOLUTE/PATH (a file-URL spelling) keeps working.
func TestOpenBoltDoubleSlash(t *testing.T) {
	base := t.TempDir()
	rel := strings.TrimPrefix(base, "/") // bolt://tmp/... would open /tmp/...
	wrong := filepath.Join(base, "s.db")
	s, closeStore, err := Open(context.Background(), "bolt://"+rel+"/s.db", "")
	if err == nil {
		closeStore()
		_, statErr := os.Stat(wrong)
		t.Fatalf("Open(bolt://%s/s.db) = %T, nil (file at %s: %v); want an error asking for bolt:PATH", rel, s, wrong, statErr == nil)
	}
	if _, statErr := os.Stat(wrong); statErr == nil {
		t.Errorf("a refused bolt:// spec still created %s", wrong)
	}
	abs := filepath.Join(base, "abs.db")
	_, closeStore, err = Open(context.Background(), "bolt://"+abs, "")
	if err != nil {
		t.Fatalf("Open(bolt://%s): %v", abs, err)
	}
	closeStore()
	if _, err := os.Stat(abs); err != nil {
		t.Errorf("bolt://%s did not open %s: %v", abs, abs, err)
	}
}
