package sessions_test

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestSecurityChecklist proves that SECURITY.md's checklist still says what
// the repository holds: every item S1–S49 has one row, and every test, fuzz
// target and subtest a row names as its proof exists somewhere in the
// repository (the core, securitytest, storetest, and the nested store,
// adapter, command and e2e modules). A renamed or deleted proof fails here
// instead of leaving the checklist citing a test that no longer runs.
func TestSecurityChecklist(t *testing.T) {
	doc, err := os.ReadFile("SECURITY.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]int{}
	for _, m := range regexp.MustCompile(`(?m)^\| (S\d+) \|`).FindAllSubmatch(doc, -1) {
		rows[string(m[1])]++
	}
	for i := 1; i <= 49; i++ {
		if id := fmt.Sprintf("S%d", i); rows[id] != 1 {
			t.Errorf("checklist item %s has %d rows in SECURITY.md, want 1", id, rows[id])
		}
	}
	if len(rows) != 49 {
		t.Errorf("SECURITY.md has rows for %d items, want S1–S49", len(rows))
	}

	// Every Go file of the repository, test files included: the proofs
	// live in _test.go files and in the securitytest and storetest suites.
	var src [][]byte
	err = filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != "." && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(path, ".go") {
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			src = append(src, b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	has := func(s string) bool {
		for _, b := range src {
			if bytes.Contains(b, []byte(s)) {
				return true
			}
		}
		return false
	}
	names := regexp.MustCompile("`((?:Test|Fuzz)[A-Za-z0-9_]*|RunClient)((?:/[A-Za-z0-9_]+)*)`").FindAllSubmatch(doc, -1)
	if len(names) < 100 {
		t.Fatalf("found only %d proofs named in SECURITY.md; has its format changed?", len(names))
	}
	for _, m := range names {
		top, subs := string(m[1]), strings.Split(strings.TrimPrefix(string(m[2]), "/"), "/")
		if !has("func " + top + "(") {
			t.Errorf("SECURITY.md names %s, but no Go file declares func %s", m[0], top)
		}
		for _, sub := range subs {
			if sub != "" && !has(`"`+sub+`"`) {
				t.Errorf("SECURITY.md names %s, but no Go file holds the subtest name %q", m[0], sub)
			}
		}
	}
}
