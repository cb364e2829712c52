package sessions_test

import (
	"testing"

	"github.com/sessionkit/sessions/internal/lint"
)

// TestSecurityLint runs the module's static security checks over every
// non-test Go file of the core module (nested modules have their own).
func TestSecurityLint(t *testing.T) {
	files, err := lint.Files(".")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 10 {
		t.Fatalf("only %d files found; is the test running from the module root?", len(files))
	}
	t.Run("S1_NoMathRand", func(t *testing.T) {
		found, err := lint.BannedImports(files, "math/rand", "math/rand/v2")
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range found {
			t.Errorf("%v: session IDs and tokens must come from crypto/rand", f)
		}
	})
	t.Run("S48_NoSecretCompares", func(t *testing.T) {
		// securitytest and storetest are test harnesses: they compare
		// tokens and IDs to assert on them, never to authenticate.
		prod, err := lint.Files(".", "securitytest", "storetest", "internal/lint")
		if err != nil {
			t.Fatal(err)
		}
		found, err := lint.SecretCompares(prod)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range found {
			t.Errorf("%v", f)
		}
	})
	t.Run("S48_ConstantTimePaths", func(t *testing.T) {
		for _, c := range []struct{ fn, pkg, name string }{
			{"tokenMatches", "subtle", "ConstantTimeCompare"}, // CSRF token check
			{"equalSecret", "subtle", "ConstantTimeCompare"},  // binding digests
			{"tryLoad", "", "equalSecret"},                    // server-side binding check
			{"tryOpen", "", "equalSecret"},                    // client-side binding check
			{"checkToken", "", "tokenMatches"},
		} {
			ok, err := lint.Calls(files, c.fn, c.pkg, c.name)
			if err != nil || !ok {
				t.Errorf("%s does not call %s.%s (%v)", c.fn, c.pkg, c.name, err)
			}
		}
	})
}
