// Package lint holds the module's own static security checks, run by its
// tests (security_lint_test.go) so they need no tool beyond `go test`:
//
//   - BannedImports: no math/rand anywhere a session ID or token could come
//     from (checklist item S1).
//   - SecretCompares: no ==, != or non-constant-time library comparison whose
//     operand names a secret (token, secret, MAC, CSRF, digest, ...) (S48).
//   - Calls: a function calls a given package function, to pin that the
//     CSRF and binding checks go through crypto/subtle (S48).
//
// The checks are syntactic, on purpose: they run on the standard library
// alone (go/parser, go/ast), and a secret is recognised by its name, the way
// a reviewer would. Comparisons with "" or nil, and len(x), are not secret
// comparisons.
package lint

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// Finding is one violation.
type Finding struct {
	Pos token.Position
	Msg string
}

func (f Finding) String() string { return fmt.Sprintf("%s: %s", f.Pos, f.Msg) }

// Files returns the non-test Go files of the module rooted at root: nested
// modules (directories with their own go.mod), testdata, hidden directories
// and the directories in skip (relative to root) are left out.
func Files(root string, skip ...string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			name := d.Name()
			if path != root && (name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || slices.Contains(skip, filepath.ToSlash(rel))) {
				return filepath.SkipDir
			}
			if path != root {
				if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
					return filepath.SkipDir
				}
			}
			return nil
		}
		if strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go") {
			out = append(out, path)
		}
		return nil
	})
	return out, err
}

func parse(fset *token.FileSet, path string) (*ast.File, error) {
	return parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
}

// BannedImports reports imports of the banned packages in files.
func BannedImports(files []string, banned ...string) ([]Finding, error) {
	fset := token.NewFileSet()
	var out []Finding
	for _, path := range files {
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return nil, err
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if slices.Contains(banned, p) {
				out = append(out, Finding{fset.Position(imp.Pos()), "imports " + p})
			}
		}
	}
	return out, nil
}

// secretWords are the words of an identifier that mark it as a secret.
var secretWords = []string{"token", "secret", "mac", "hmac", "csrf", "xsrf", "digest", "signature", "sig", "nonce", "password", "passwd", "apikey"}

// words splits an identifier into lower-case words at case changes, digits
// and underscores: "csrfToken" -> csrf, token; "HMACSum" -> hmac, sum.
func words(id string) []string {
	var out []string
	r := []rune(id)
	start := 0
	for i := 1; i <= len(r); i++ {
		split := i == len(r) || r[i] == '_' ||
			(unicode.IsUpper(r[i]) && (unicode.IsLower(r[i-1]) || (i+1 < len(r) && unicode.IsLower(r[i+1]))))
		if split {
			if w := strings.Trim(strings.ToLower(string(r[start:i])), "_0123456789"); w != "" {
				out = append(out, w)
			}
			start = i
		}
	}
	return out
}

// secretName returns the identifier that makes e name a secret, or "".
func secretName(e ast.Expr) string {
	var name string
	switch x := e.(type) {
	case *ast.Ident:
		if x.Name == "nil" {
			return ""
		}
		name = x.Name
	case *ast.SelectorExpr:
		name = x.Sel.Name
	case *ast.IndexExpr:
		return secretName(x.X)
	case *ast.SliceExpr:
		return secretName(x.X)
	case *ast.StarExpr:
		return secretName(x.X)
	case *ast.ParenExpr:
		return secretName(x.X)
	case *ast.CallExpr:
		// A conversion such as string(token) or []byte(secret) carries its
		// argument's secrecy; len(x) does not. Any other call is a secret
		// when its name says it returns one: bindDigest(ua), signature(b).
		if len(x.Args) == 1 {
			switch fn := x.Fun.(type) {
			case *ast.Ident:
				if fn.Name == "string" {
					return secretName(x.Args[0])
				}
			case *ast.ArrayType:
				return secretName(x.Args[0])
			}
		}
		switch fn := x.Fun.(type) {
		case *ast.Ident:
			name = fn.Name
		case *ast.SelectorExpr:
			name = fn.Sel.Name
		default:
			return ""
		}
	default:
		return ""
	}
	for _, w := range words(name) {
		if slices.Contains(secretWords, w) {
			return name
		}
	}
	return ""
}

// harmless reports whether comparing with e leaks nothing: "", nil, a number.
func harmless(e ast.Expr) bool {
	switch x := e.(type) {
	case *ast.BasicLit:
		return x.Kind != token.STRING || x.Value == `""` || x.Value == "``"
	case *ast.Ident:
		return x.Name == "nil" || x.Name == "true" || x.Name == "false"
	case *ast.CallExpr:
		if fn, ok := x.Fun.(*ast.Ident); ok && (fn.Name == "len" || fn.Name == "cap") {
			return true
		}
	}
	return false
}

// leakyCalls are library comparisons that return early on the first
// difference.
var leakyCalls = map[string][]string{
	"bytes":   {"Equal", "Compare", "EqualFold", "HasPrefix"},
	"strings": {"Compare", "EqualFold", "HasPrefix"},
	"reflect": {"DeepEqual"},
	"slices":  {"Equal"},
}

// SecretCompares reports == and != between a secret-named operand (or a
// call named for a secret, such as bindDigest(ua)) and anything but "",
// nil, true, false or a number, and early-exit library comparisons
// (bytes.Equal, strings.EqualFold, reflect.DeepEqual, ...) on a secret.
func SecretCompares(files []string) ([]Finding, error) {
	fset := token.NewFileSet()
	var out []Finding
	for _, path := range files {
		f, err := parse(fset, path)
		if err != nil {
			return nil, err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.BinaryExpr:
				if x.Op != token.EQL && x.Op != token.NEQ {
					return true
				}
				for _, pair := range [2][2]ast.Expr{{x.X, x.Y}, {x.Y, x.X}} {
					if name := secretName(pair[0]); name != "" && !harmless(pair[1]) {
						out = append(out, Finding{fset.Position(x.OpPos), fmt.Sprintf("%s compared with %s; use crypto/subtle.ConstantTimeCompare or hmac.Equal", name, x.Op)})
						break
					}
				}
			case *ast.CallExpr:
				sel, ok := x.Fun.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				pkg, ok := sel.X.(*ast.Ident)
				if !ok || !slices.Contains(leakyCalls[pkg.Name], sel.Sel.Name) {
					return true
				}
				for _, a := range x.Args {
					if name := secretName(a); name != "" {
						out = append(out, Finding{fset.Position(x.Pos()), fmt.Sprintf("%s compared with %s.%s; use crypto/subtle.ConstantTimeCompare or hmac.Equal", name, pkg.Name, sel.Sel.Name)})
						break
					}
				}
			}
			return true
		})
	}
	return out, nil
}

// Calls reports whether the function (or method) named fn, declared in
// files, calls pkg.name, for example Calls(files, "tokenMatches", "subtle",
// "ConstantTimeCompare"); with pkg "" it looks for a call of the plain
// function name. It is an error if no file declares fn.
func Calls(files []string, fn, pkg, name string) (bool, error) {
	fset := token.NewFileSet()
	found := false
	for _, path := range files {
		f, err := parse(fset, path)
		if err != nil {
			return false, err
		}
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Name.Name != fn || fd.Body == nil {
				continue
			}
			found = true
			calls := false
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				if c, ok := n.(*ast.CallExpr); ok {
					switch f := c.Fun.(type) {
					case *ast.SelectorExpr:
						if id, ok := f.X.(*ast.Ident); ok && pkg != "" && id.Name == pkg && f.Sel.Name == name {
							calls = true
						}
					case *ast.Ident:
						// Set only, never cleared: a later call beside
						// this one (f() && g()) must not hide it.
						if pkg == "" && f.Name == name {
							calls = true
						}
					}
				}
				return !calls
			})
			if calls {
				return true, nil
			}
		}
	}
	if !found {
		return false, fmt.Errorf("lint: no function %s", fn)
	}
	return false, nil
}
