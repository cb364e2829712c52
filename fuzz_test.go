package sessions

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// Fuzz targets for every parser of outside input: the Cookie header scan and
// ID validation (request headers), the value and record codecs (bytes from a
// store, or from a cookie the cookie store decrypted), and the CSRF token
// check (a request header or form field). Seeds live in testdata/fuzz.

func FuzzCookieValues(f *testing.F) {
	id := strings.Repeat("A", IDLen)
	for _, s := range []string{
		"", "__Host-id=" + id, "a=b; __Host-id=" + id + "; c=d",
		"__Host-id=x; __Host-id=y; __Host-id=z", `__Host-id="` + id + `"`,
		"__Host-id", "=;;=; __Host-id==", "__Host-id=" + id + ";__Host-id=" + id,
		" __Host-id = x ", "__host-id=" + id, "\xff=\xfe; __Host-id=\x00",
	} {
		f.Add(s, "__Host-id")
	}
	f.Fuzz(func(t *testing.T, header, name string) {
		if !validCookieName(name) {
			return
		}
		r := &http.Request{Header: http.Header{"Cookie": strings.Split(header, "\n")}}
		first, second, dup := cookieValues(r, name)
		if second != "" && !dup {
			t.Fatalf("two values without dup: %q %q", first, second)
		}
		if dup && first == second {
			t.Fatalf("dup reported for one value %q", first)
		}
		for _, v := range []string{first, second} {
			if v != "" && !strings.Contains(header, v) {
				t.Fatalf("value %q is not in the header", v)
			}
		}
		// Differential against net/http's parser: a well-formed ID we return
		// is one net/http sees under name, and with at most one distinct
		// value seen we miss none of the IDs net/http sees. net/http drops
		// every cookie of a request carrying more than 3,000 of them (its
		// httpcookiemaxnum setting); the session's scan has no such policy.
		if n := strings.Count(header, ";") + len(r.Header["Cookie"]); n > 3000 {
			return
		}
		var theirs []string
		for _, c := range r.CookiesNamed(name) {
			theirs = append(theirs, c.Value)
		}
		for _, v := range []string{first, second} {
			if validID(v) && !slices.Contains(theirs, v) {
				t.Fatalf("cookieValues found ID %q that net/http does not (%q)", v, theirs)
			}
		}
		if !dup {
			for _, v := range theirs {
				if validID(v) && v != first {
					t.Fatalf("net/http finds ID %q, cookieValues only %q", v, first)
				}
			}
		}
	})
}

func FuzzValidID(f *testing.F) {
	for _, s := range []string{
		strings.Repeat("A", 43), strings.Repeat("_", 42) + "w", strings.Repeat("-", 42) + "B",
		strings.Repeat("A", 42) + "=", strings.Repeat("+", 43), "", "a", strings.Repeat("A", 44),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := base64.RawURLEncoding.Strict().DecodeString(s)
		want := err == nil && len(b) == idBytes && len(s) == IDLen
		if got := validID(s); got != want {
			t.Fatalf("validID(%q) = %v, want %v (strict base64url of 32 bytes)", s, got, want)
		}
		if want && base64.RawURLEncoding.EncodeToString(b) != s {
			t.Fatalf("a valid ID does not re-encode to itself")
		}
	})
}

// encodeSeeds returns encodings of values of every type the codec knows.
func encodeSeeds(tb testing.TB) [][]byte {
	tb.Helper()
	var out [][]byte
	for _, v := range []any{
		nil, "s", "", 42, -7, int8(-8), int16(1600), int32(-32000), int64(1) << 62,
		uint(7), uint8(255), uint16(65535), uint32(1) << 31, uint64(1) << 63,
		3.25, float32(1.5), true, false, []byte{0, 255}, 90 * time.Second,
		time.Date(2026, 11, 26, 5, 0, 0, 123, time.FixedZone("x", 3600)),
		JSON(`{"a":[1,2]}`), []string{"a", ""}, []any{"a", 1, []any{2.5}},
		map[string]any{"k": "v", "n": map[string]any{"b": false}},
	} {
		b, err := EncodeValue(v)
		if err != nil {
			tb.Fatalf("EncodeValue(%#v): %v", v, err)
		}
		out = append(out, b)
	}
	return out
}

func FuzzDecodeValue(f *testing.F) {
	for _, b := range encodeSeeds(f) {
		f.Add(b)
	}
	f.Add([]byte("L\x01\x05L\x01\x01n"))
	f.Add([]byte("M\x02\x01a\x01n\x01a\x01n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := DecodeValue(b)
		if err != nil {
			return
		}
		// What decodes re-encodes, and the re-encoding is stable.
		enc, err := EncodeValue(v)
		if err != nil {
			t.Fatalf("decoded %#v does not re-encode: %v", v, err)
		}
		v2, err := DecodeValue(enc)
		if err != nil {
			t.Fatalf("re-encoding %q does not decode: %v", enc, err)
		}
		enc2, err := EncodeValue(v2)
		if err != nil || !bytes.Equal(enc, enc2) {
			t.Fatalf("unstable round trip: %q -> %q (%v)", enc, enc2, err)
		}
	})
}

func FuzzUnmarshalRecord(f *testing.F) {
	rec := &Record{Meta: Meta{Created: 1, Renewed: 2, LastSeen: 3, AuthTime: -4, Expires: 5, User: "u", UserAgent: "ua", CSRF: "c", Bind: "b"}}
	for i, b := range encodeSeeds(f) {
		v, _ := DecodeValue(b)
		rec.SetField(string(rune('a'+i)), v)
	}
	for _, r := range []*Record{{}, rec} {
		b, err := MarshalRecord(r)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{1})
	f.Add([]byte{2, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := UnmarshalRecord(b)
		if err != nil {
			return
		}
		for i, fl := range r.Fields {
			if !utf8.ValidString(fl.Key) || (i > 0 && r.Fields[i-1].Key >= fl.Key) {
				t.Fatalf("decoded fields not sorted, unique UTF-8 keys: %q", fl.Key)
			}
		}
		enc, err := MarshalRecord(r)
		if err != nil {
			t.Fatalf("a decoded record does not re-encode: %v", err)
		}
		r2, err := UnmarshalRecord(enc)
		if err != nil {
			t.Fatalf("a re-encoded record does not decode: %v", err)
		}
		enc2, err := MarshalRecord(r2)
		if err != nil || !bytes.Equal(enc, enc2) || r2.Meta != r.Meta || len(r2.Fields) != len(r.Fields) {
			t.Fatalf("unstable record round trip (%v)", err)
		}
	})
}

func FuzzTokenMatches(f *testing.F) {
	secret := bytes.Repeat([]byte{7}, csrfSecretLen)
	f.Add(maskToken(rand.Reader, secret), secret)
	f.Add("", secret)
	f.Add(strings.Repeat("A", 86), make([]byte, csrfSecretLen))
	f.Add(strings.Repeat("A", 85)+"=", secret)
	f.Fuzz(func(t *testing.T, token string, secret []byte) {
		if len(secret) != csrfSecretLen {
			sum := sha256.Sum256(secret)
			secret = sum[:]
		}
		got := tokenMatches(token, secret)
		// Reference: strict base64url of pad || pad^secret.
		b, err := base64.RawURLEncoding.Strict().DecodeString(token)
		want := err == nil && len(token) == 86 && len(b) == 2*csrfSecretLen
		if want {
			for i := range csrfSecretLen {
				if b[i]^b[csrfSecretLen+i] != secret[i] {
					want = false
				}
			}
		}
		if got != want {
			t.Fatalf("tokenMatches(%q) = %v, want %v", token, got, want)
		}
		if !tokenMatches(maskToken(rand.Reader, secret), secret) {
			t.Fatal("a freshly masked token does not match its secret")
		}
	})
}
