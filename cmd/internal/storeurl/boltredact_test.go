package storeurl

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBoltErrorsHidePassword: a bolt: specification is echoed in the
// errors about it, which end up in logs; one carrying a password, in a
// URL's user information (bolt://u:PASSWORD@host/s.db) or as a key/value
// password, shows it in none of them, from Open or OpenExisting.
func TestBoltErrorsHidePassword(t *testing.T) {
	const pass = "pWd9Qs3cret"
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty password="+pass)
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, spec := range []string{
		"bolt://u:" + pass + "@host/s.db",
		"BOLT://u:" + pass + "@host/s.db",
		"bolt://:" + pass + "@host",
		"bolt:" + filepath.Join(dir, "missing password="+pass),
		"bolt:" + empty,
	} {
		for name, open := range map[string]func(context.Context, string, string) (any, func(), error){
			"Open":         func(ctx context.Context, s, k string) (any, func(), error) { return Open(ctx, s, k) },
			"OpenExisting": func(ctx context.Context, s, k string) (any, func(), error) { return OpenExisting(ctx, s, k) },
		} {
			if name == "Open" && !strings.Contains(spec, "://") {
				continue // Open makes a new database at any path
			}
			_, closeStore, err := open(context.Background(), spec, "")
			if err == nil {
				closeStore()
				t.Errorf("%s(%q) succeeded; want an error", name, spec)
				continue
			}
			if strings.Contains(err.Error(), pass[:5]) {
				t.Errorf("%s(%q) = %q: the password is in the error", name, spec, err)
			}
		}
	}
}
