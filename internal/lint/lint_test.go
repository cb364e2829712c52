package lint

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// fixture copies testdata/name.txt to a .go file the checks can parse; the
// fixtures are stored as .txt so that go vet and the build ignore them.
func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name+".txt"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestBannedImports(t *testing.T) {
	bad, good := fixture(t, "bad.go"), fixture(t, "good.go")
	got, err := BannedImports([]string{bad, good}, "math/rand", "math/rand/v2")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !strings.HasSuffix(got[0].Pos.Filename, "bad.go") || got[0].Msg != "imports math/rand" {
		t.Fatalf("findings %v, want one math/rand import in bad.go", got)
	}
}

func TestSecretCompares(t *testing.T) {
	bad, good := fixture(t, "bad.go"), fixture(t, "good.go")
	got, err := SecretCompares([]string{good})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 0 {
		t.Fatalf("false positives in good.go: %v", got)
	}
	got, err = SecretCompares([]string{bad})
	if err != nil {
		t.Fatal(err)
	}
	src, _ := os.ReadFile(bad)
	var want []int
	for i, line := range strings.Split(string(src), "\n") {
		if strings.Contains(line, "// finding") {
			want = append(want, i+1)
		}
	}
	var lines []int
	for _, f := range got {
		lines = append(lines, f.Pos.Line)
	}
	if !slices.Equal(lines, want) {
		t.Fatalf("findings on lines %v, want %v:\n%v", lines, want, got)
	}
}

func TestCalls(t *testing.T) {
	bad, good := fixture(t, "bad.go"), fixture(t, "good.go")
	for _, c := range []struct {
		file, fn, pkg, name string
		want                bool
	}{
		{good, "fine", "subtle", "ConstantTimeCompare", true},
		{bad, "leaks", "subtle", "ConstantTimeCompare", false},
		{bad, "leaks", "hmac", "Equal", true},
		{bad, "leaks", "", "string", true},
		// A plain call followed by other plain calls is still found.
		{good, "checksThenLogs", "", "equalSecret", true},
		{good, "checksThenLogs", "", "tokenMatches", false},
	} {
		got, err := Calls([]string{c.file}, c.fn, c.pkg, c.name)
		if err != nil || got != c.want {
			t.Errorf("Calls(%s, %s.%s) = %v, %v; want %v", c.fn, c.pkg, c.name, got, err, c.want)
		}
	}
	if _, err := Calls([]string{good}, "missing", "subtle", "ConstantTimeCompare"); err == nil {
		t.Errorf("Calls on a missing function: no error")
	}
}

func TestWords(t *testing.T) {
	for in, want := range map[string][]string{
		"csrfToken": {"csrf", "token"}, "HMACSum": {"hmac", "sum"}, "api_key2": {"api", "key"},
		"machine": {"machine"}, "CSRF": {"csrf"}, "bindDigest": {"bind", "digest"},
	} {
		if got := words(in); !slices.Equal(got, want) {
			t.Errorf("words(%q) = %q, want %q", in, got, want)
		}
	}
}
