package sessions

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestSecurityInternal holds the checklist items that need the package's
// unexported parsers and generators.
func TestSecurityInternal(t *testing.T) {
	t.Run("S1_IDs", func(t *testing.T) {
		const n = 100_000
		re := regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)
		seen := make(map[string]struct{}, n)
		for range n {
			id, err := newID(rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			if !re.MatchString(id) || !validID(id) {
				t.Fatalf("ID %q is not 43 base64url characters", id)
			}
			if b, err := base64.RawURLEncoding.Strict().DecodeString(id); err != nil || len(b) != 32 {
				t.Fatalf("ID decodes to %d bytes (%v), want 32", len(b), err)
			}
			if _, dup := seen[id]; dup {
				t.Fatal("duplicate ID")
			}
			seen[id] = struct{}{}
		}
	})
	t.Run("S1_RandFailure", func(t *testing.T) {
		for _, r := range []interface{ Read([]byte) (int, error) }{failReader{}, bytes.NewReader(make([]byte, 31))} {
			if id, err := newID(r); err == nil || id != "" {
				t.Errorf("newID on a failing or short source = %q, %v; want an ErrRandom", id, err)
			}
		}
	})
	t.Run("S2_NoStructure", func(t *testing.T) {
		const n = 10_000
		ids := make([]string, n)
		var nibbles [16]int
		var firstBytes [256]bool
		var byteValues [32][256]bool // every position's values seen
		for i := range ids {
			ids[i], _ = newID(rand.Reader)
			b, _ := base64.RawURLEncoding.DecodeString(ids[i])
			nibbles[b[6]>>4]++
			firstBytes[b[0]] = true
			for p, v := range b {
				byteValues[p][v] = true
			}
		}
		// Each of the 32 bytes is random: over 10,000 IDs every one takes
		// all 256 values (a value missing at a random position has a
		// chance of about e^-39). A constant or short-range part (a
		// suffix of zeros, fewer random bytes than the ID holds) does not.
		for p := range byteValues {
			if slices.Contains(byteValues[p][:], false) {
				t.Errorf("byte %d of the ID does not take every value in %d IDs: not random", p, n)
			}
		}
		for v, c := range nibbles {
			// Uniform: each nibble value ~625 times; a UUID layout pins one.
			if c < 450 || c > 800 {
				t.Errorf("byte 6's high nibble is %d in %d of %d IDs; not uniform", v, c, n)
			}
		}
		if slices.Contains(firstBytes[:], false) {
			t.Errorf("some first-byte values never occur in %d IDs (a counter or time prefix?)", n)
		}
		// Sorted neighbours of 10,000 random IDs share ~2-3 characters;
		// 7 or more has a chance below 1e-4.
		slices.Sort(ids)
		for i := 1; i < n; i++ {
			p := 0
			for p < IDLen && ids[i][p] == ids[i-1][p] {
				p++
			}
			if p >= 7 {
				t.Fatalf("two IDs share a %d-character prefix", p)
			}
		}
	})
	t.Run("S5_ValidID", func(t *testing.T) {
		id, _ := newID(rand.Reader)
		for _, c := range []struct {
			in   string
			want bool
		}{
			{id, true},
			{"", false}, {"a", false}, {id + "A", false}, {id[:42], false},
			{id[:42] + "=", false}, {"+" + id[1:], false}, {"/" + id[1:], false},
			{id[:42] + "B", false}, // stray low bits: not an encoding we issue
			{"../" + id[3:], false}, {strings.Repeat("%", 43), false},
			{"\xff" + id[1:], false}, {id[:42] + "\x00", false},
		} {
			if got := validID(c.in); got != c.want {
				t.Errorf("validID(%q) = %v, want %v", c.in, got, c.want)
			}
		}
	})
	t.Run("S8_CookieValues", func(t *testing.T) {
		a, b, c := strings.Repeat("a", 43), strings.Repeat("b", 43), strings.Repeat("c", 43)
		for _, tc := range []struct {
			lines         []string
			first, second string
			dup           bool
		}{
			{nil, "", "", false},
			{[]string{"x=1; __Host-id=" + a}, a, "", false},
			{[]string{"__Host-id=" + a + "; __Host-id=" + a}, a, "", false},
			{[]string{"__Host-id=" + b + "; __Host-id=" + a}, b, a, true},
			{[]string{"__Host-id=" + a, "__Host-id=" + b}, a, b, true},
			{[]string{"__Host-id=" + a + ";__Host-id=" + b + ";__Host-id=" + c}, a, b, true},
			{[]string{`__Host-id="` + a + `"`}, a, "", false},
			{[]string{`__Host-id=""; __Host-id=` + a}, a, "", false},
			{[]string{"__Host-id=; __Host-id=" + a, "__Host-id="}, a, "", false},
			{[]string{"__host-id=" + a + "; id=" + b + "; __Host-idx=" + c}, "", "", false},
		} {
			r := &http.Request{Header: http.Header{"Cookie": tc.lines}}
			f, s, d := cookieValues(r, "__Host-id")
			if f != tc.first || s != tc.second || d != tc.dup {
				t.Errorf("cookieValues(%q) = %q, %q, %v; want %q, %q, %v", tc.lines, f, s, d, tc.first, tc.second, tc.dup)
			}
		}
	})
	t.Run("S41_Masking", func(t *testing.T) {
		secret := make([]byte, csrfSecretLen)
		rand.Read(secret)
		other := bytes.Clone(secret)
		other[31] ^= 1
		t1, t2 := maskToken(rand.Reader, secret), maskToken(rand.Reader, secret)
		if t1 == t2 || !tokenMatches(t1, secret) || !tokenMatches(t2, secret) {
			t.Fatal("two masks of one secret must differ and both match")
		}
		flip := "A"
		if t1[40] == 'A' {
			flip = "B"
		}
		mangled := t1[:40] + flip + t1[41:]
		if tokenMatches(t1, other) || tokenMatches(mangled, secret) || tokenMatches(t1+"A", secret) {
			t.Fatal("a token matched a different secret or a mangled token matched")
		}
		if maskToken(failReader{}, secret) != "" {
			t.Fatal("a failing random source still produced a token")
		}
	})
}

type failReader struct{}

func (failReader) Read([]byte) (int, error) { return 0, ErrRandom }
