package storeurl

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/sessionkit/sessions"
)

// TestSpecErrors: the error for a specification that cannot be read wraps
// ErrSpec (a tool's usage error), and keeps what it wrapped before; the
// error for a store that cannot be reached, or a file that is not there,
// does not.
func TestSpecErrors(t *testing.T) {
	missing := "bolt:" + filepath.Join(t.TempDir(), "missing.db")
	for _, tc := range []struct {
		spec   string
		isSpec bool
		also   error
	}{
		{"ftp://127.0.0.1/x", true, nil},
		{"bolt:", true, nil},
		{"bolt://sessions.db", true, nil},
		{"redis://127.0.0.1:6379/x", true, sessions.ErrConfig},
		{"postgres://127.0.0.1:5432/test?sslmode=bogus", true, nil},
		{missing, false, nil},
		{"postgres://postgres@127.0.0.1:1/test?sslmode=disable&connect_timeout=2", false, nil},
	} {
		_, closeStore, err := OpenExisting(context.Background(), tc.spec, "")
		if err == nil {
			closeStore()
			t.Errorf("OpenExisting(%s) succeeded; want an error", tc.spec)
			continue
		}
		if errors.Is(err, ErrSpec) != tc.isSpec {
			t.Errorf("OpenExisting(%s) = %v: errors.Is(ErrSpec) = %v, want %v", tc.spec, err, !tc.isSpec, tc.isSpec)
		}
		if tc.also != nil && !errors.Is(err, tc.also) {
			t.Errorf("OpenExisting(%s) = %v, no longer wrapping %v", tc.spec, err, tc.also)
		}
	}
}
