package sessions

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"mime"
	"net/http"
	"strings"
	"testing"
	"unicode"
)

// Fuzz targets for the request parsers fuzz_test.go leaves out: the
// multipart body the CSRF check reads for its token field, the User-Agent
// BindUserAgent reduces, and the store key KeyOf derives from a cookie's
// ID. Seeds live in testdata/fuzz.

// FuzzMultipartToken feeds arbitrary multipart bodies and boundaries to
// multipartToken. Whatever it finds, the handler then reads the body as
// sent, byte for byte; and on a body net/http parses as a form, the token
// is the form's first value of the field, as the check would find with
// ParseMultipartForm.
func FuzzMultipartToken(f *testing.F) {
	part := func(b, disp, body string) string {
		return "--" + b + "\r\nContent-Disposition: form-data; " + disp + "\r\n\r\n" + body + "\r\n"
	}
	f.Add("b0undary", []byte(part("b0undary", `name="csrf_token"`, "tok")+"--b0undary--\r\n"))
	f.Add("b0undary", []byte(part("b0undary", `name="upload"; filename="a.bin"`, "xx")+
		part("b0undary", `name="csrf_token"`, "tok")+"--b0undary--\r\n"))
	f.Add("x", []byte(part("x", `name="csrf_token"; filename=""`, "a")+part("x", `name="csrf_token"`, "b")+"--x--\r\n"))
	f.Add("x", []byte("--x\r\nContent-Disposition: form-data; name=csrf_token\r\n"+
		"Content-Transfer-Encoding: quoted-printable\r\n\r\nt=3Dk\r\n--x--\r\n"))
	f.Add("x", []byte(part("x", `name="csrf_token"`, strings.Repeat("A", 1100))+"--x--\r\n"))
	f.Add("", []byte("--\r\n"))
	f.Add("b", []byte("--b\r\nbroken"))
	const field = "csrf_token"
	f.Fuzz(func(t *testing.T, boundary string, body []byte) {
		r := &http.Request{Method: http.MethodPost, Header: http.Header{}, Body: io.NopCloser(bytes.NewReader(body))}
		got := multipartToken(r, boundary, field)
		if len(got) > 1<<10 {
			t.Fatalf("token of %d bytes, want at most 1 KiB", len(got))
		}
		after, err := io.ReadAll(r.Body)
		if err != nil || !bytes.Equal(after, body) {
			t.Fatalf("the handler reads %q (%v), want the body as sent %q", after, err, body)
		}

		// Reference: net/http's form parser over the same body.
		ct := mime.FormatMediaType("multipart/form-data", map[string]string{"boundary": boundary})
		if ct == "" || boundary == "" {
			return
		}
		ref := &http.Request{Method: http.MethodPost, Header: http.Header{"Content-Type": {ct}}, Body: io.NopCloser(bytes.NewReader(body))}
		if err := ref.ParseMultipartForm(1 << 20); err != nil {
			return
		}
		want := ""
		if vs := ref.MultipartForm.Value[field]; len(vs) > 0 {
			want = vs[0]
		}
		if len(want) > 1<<10 {
			return // longer than any token: cut short, it cannot match
		}
		if got != want {
			t.Fatalf("multipartToken = %q, ParseMultipartForm gives %q", got, want)
		}
	})
}

// FuzzBindUserAgent checks BindUserAgent's promises on any User-Agent: a
// version past its major number does not count (changing it keeps the
// binding), the binding of a binding is itself, spacing does not count,
// and the binding is no longer than the header.
func FuzzBindUserAgent(f *testing.F) {
	f.Add("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", "0", "1.2")
	f.Add("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 Version/17.4 Mobile/15E148 Safari/604.1", "4_1", "5")
	f.Add("Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/AP2A.240805.005; wv) Chrome/128.0.6613.127", "240805.005", "240905.006")
	f.Add("", "", "")
	f.Add("\u00a0a1.b\u2028c9_d\x85", "x", "y")
	ua := func(s string) string {
		return BindUserAgent(&http.Request{Header: http.Header{"User-Agent": {s}}})
	}
	f.Fuzz(func(t *testing.T, s, minor1, minor2 string) {
		b := ua(s)
		if len(b) > len(s)+1 {
			t.Fatalf("BindUserAgent(%q) = %q, longer than the header", s, b)
		}
		if again := ua(b); again != b {
			t.Fatalf("BindUserAgent(%q) = %q, but of that %q", s, b, again)
		}
		if spaced := ua(" " + strings.Join(strings.Fields(s), "\t  ") + " "); spaced != b {
			t.Fatalf("BindUserAgent(%q) = %q, with other spacing %q", s, b, spaced)
		}
		// A version's minor part: s ends in a token whose '.' follows a
		// digit; what follows the '.' up to the next space does not count.
		if strings.IndexFunc(minor1+minor2, unicode.IsSpace) >= 0 {
			return
		}
		v1, v2 := ua(s+"9."+minor1), ua(s+"9."+minor2)
		if v1 != v2 {
			t.Fatalf("minor versions %q and %q bind differently after %q: %q, %q", minor1, minor2, s, v1, v2)
		}
	})
}

// FuzzKeyOf checks KeyOf against the hex SHA-256 it documents, and
// ValidKey against the shape it documents, for any text.
func FuzzKeyOf(f *testing.F) {
	f.Add(strings.Repeat("A", IDLen))
	f.Add("")
	f.Add(strings.Repeat("f", 64))
	f.Add(strings.Repeat("F", 64))
	f.Add(strings.Repeat("x", 65))
	f.Fuzz(func(t *testing.T, s string) {
		sum := sha256.Sum256([]byte(s))
		key := KeyOf(s)
		if key != hex.EncodeToString(sum[:]) {
			t.Fatalf("KeyOf(%q) = %q, want the hex SHA-256 %x", s, key, sum)
		}
		if !ValidKey(key) {
			t.Fatalf("ValidKey(KeyOf(%q)) = false", s)
		}
		b, err := hex.DecodeString(s)
		want := err == nil && len(b) == sha256.Size && strings.ToLower(s) == s
		if ValidKey(s) != want {
			t.Fatalf("ValidKey(%q) = %v, want %v (64 lowercase hex digits)", s, !want, want)
		}
	})
}
