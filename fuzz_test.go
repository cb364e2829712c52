package sessions

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math"
	"net"
	"net/http"
	"net/netip"
	"reflect"
	"slices"
	"strconv"
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

// fuzzDoc is a value of a type the codec has no tag for: remote stores keep
// it as JSON (the codec's fallback), and Get[fuzzDoc] unmarshals it.
type fuzzDoc struct {
	Name  string
	N     int
	I64   int64
	U     uint64
	F     float64
	OK    bool
	Tags  []string
	Count map[string]int
	Ptr   *string
	Raw   []byte
	At    time.Time
	Wait  time.Duration
	Inner struct{ Small int8 }
}

// TestJSONFallbackRoundTrip round-trips values of a struct type through
// the codec's JSON fallback, as a remote store does: EncodeValue,
// DecodeValue, then As into the struct. The result equals the value stored
// (times by Equal: the zone comes back as a fixed offset), so such a value
// reads the same from every store. A value encoding/json cannot write (a
// NaN or infinite float, a year past 9999) is refused with
// ErrUnsupportedValue, and so is one holding a string that is not UTF-8,
// which encoding/json would change. (It ran as a fuzz target for
// 3 minutes clean; it is a table here to keep CI's fuzzing short.)
func TestJSONFallbackRoundTrip(t *testing.T) {
	type row struct {
		name            string
		n               int64
		u               uint64
		fl              float64
		ok              bool
		tag1, tag2, key string
		raw             []byte
		sec             int64
		nsec            int32
		offMin          int16
	}
	for _, r := range []row{
		{"cart", 3, 1 << 63, 2.5, true, "a", "", "k", []byte{0, 255}, 1_790_000_000, 123456789, 60},
		{"", math.MinInt64, math.MaxUint64, math.Copysign(0, -1), false, "\u2028", "<&>", "", nil, -62135596800, 0, -720},
		{"x", 0, 0, math.Inf(1), false, "", "", "", []byte{}, 253402300800, 0, 0},
		{"n", 1, 1, math.NaN(), false, "", "", "", nil, 0, 0, 0},
		// Each string alone is not UTF-8; all three together would be.
		{"", math.MinInt64, math.MaxUint64, 0, true, "\xe2", "\x8d", "\xad", []byte("0"), -62135596724, 0, -812},
	} {
		checkJSONFallback(t, r.name, r.n, r.u, r.fl, r.ok, r.tag1, r.tag2, r.key, r.raw, r.sec, r.nsec, r.offMin)
	}
}

// checkJSONFallback is TestJSONFallbackRoundTrip for one value.
func checkJSONFallback(t *testing.T, name string, n int64, u uint64, fl float64, ok bool, tag1, tag2, key string, raw []byte, sec int64, nsec int32, offMin int16) {
	t.Helper()
	at := time.Unix(sec, int64(nsec)%1e9).In(time.FixedZone("", int(offMin)%(18*60)*60))
	doc := fuzzDoc{Name: name, N: int(n), I64: n, U: u, F: fl, OK: ok, Raw: raw, At: at, Wait: time.Duration(n)}
	doc.Inner.Small = int8(n)
	if tag1 != "" || tag2 != "" {
		doc.Tags = []string{tag1, tag2}
	}
	if key != "" {
		doc.Count = map[string]int{key: int(n)}
		doc.Ptr = &key
	}
	enc, err := EncodeValue(doc)
	for _, s := range []string{name, tag1, tag2, key} {
		if !utf8.ValidString(s) {
			// encoding/json would write U+FFFD for it: refused.
			if !errors.Is(err, ErrUnsupportedValue) {
				t.Fatalf("EncodeValue(%+v) with the string %q: %v, want ErrUnsupportedValue", doc, s, err)
			}
			return
		}
	}
	if err != nil {
		if !errors.Is(err, ErrUnsupportedValue) {
			t.Fatalf("EncodeValue(%+v): %v does not wrap ErrUnsupportedValue", doc, err)
		}
		if _, jerr := json.Marshal(doc); jerr == nil {
			t.Fatalf("EncodeValue(%+v) refused a value encoding/json writes: %v", doc, err)
		}
		return
	}
	v, err := DecodeValue(enc)
	if err != nil {
		t.Fatalf("DecodeValue(EncodeValue(%+v)): %v", doc, err)
	}
	if _, isJSON := v.(JSON); !isJSON {
		t.Fatalf("a struct came back as %T, want JSON", v)
	}
	got, ok := As[fuzzDoc](v)
	if !ok {
		t.Fatalf("As[fuzzDoc](%s) failed", v)
	}
	if !got.At.Equal(doc.At) {
		t.Fatalf("time %v came back as %v", doc.At, got.At)
	}
	got.At, doc.At = time.Time{}, time.Time{}
	if !reflect.DeepEqual(got, doc) {
		t.Fatalf("%+v came back as %+v", doc, got)
	}
}

// FuzzClientIP feeds peer addresses and X-Forwarded-For headers to
// clientIP, which names the client for guessing detection and events. A
// peer outside the trusted proxies is the client, whatever the header
// says; behind a trusted proxy the client is never a trusted address, and
// one address counts as one client (guessKey) however a proxy writes it:
// bare, with a port, in brackets, with a zone.
func FuzzClientIP(f *testing.F) {
	trusted := []*net.IPNet{
		{IP: net.IPv4(10, 0, 0, 0).To4(), Mask: net.CIDRMask(8, 32)},
		{IP: net.ParseIP("2001:db8:ffff::"), Mask: net.CIDRMask(48, 128)},
		{IP: net.ParseIP("fe80::"), Mask: net.CIDRMask(64, 128)},
	}
	f.Add("10.1.2.3:443", "203.0.113.5, 10.0.0.7", "", []byte{203, 0, 113, 9}, uint16(50123))
	f.Add("[fe80::1%eth0]:443", "", "198.51.100.1:80", []byte{0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 5}, uint16(1))
	f.Add("192.0.2.1:1234", "10.0.0.1", "", []byte{10, 0, 0, 1}, uint16(0))
	f.Add("10.0.0.1", " , ,unknown,[::1]", "[2001:db8:ffff::1]:9", []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4}, uint16(8080))
	f.Fuzz(func(t *testing.T, peer, xff1, xff2 string, addr []byte, port uint16) {
		r := &http.Request{RemoteAddr: peer, Header: http.Header{}}
		for _, h := range []string{xff1, xff2} {
			if h != "" {
				r.Header.Add("X-Forwarded-For", h)
			}
		}
		host, _, err := net.SplitHostPort(peer)
		if err != nil {
			host = peer
		}
		got := clientIP(r, trusted)
		if !inNets(host, trusted) {
			if got != host {
				t.Fatalf("untrusted peer %q: client %q, want the peer", peer, got)
			}
			return
		}
		if got != host && inNets(got, trusted) {
			t.Fatalf("client %q is a trusted proxy (peer %q, X-Forwarded-For %q)", got, peer, r.Header.Values("X-Forwarded-For"))
		}
		// One address, every spelling: the same client.
		a, ok := netip.AddrFromSlice(addr)
		if !ok || inNets(a.String(), trusted) || inNets(a.Unmap().String(), trusted) {
			return
		}
		p := strconv.Itoa(int(port))
		forms := []string{a.String(), a.StringExpanded(), strings.ToUpper(a.String())}
		if a.Is4() {
			forms = append(forms, a.String()+":"+p)
		} else {
			forms = append(forms, "["+a.String()+"]:"+p, "["+a.String()+"]", "["+a.StringExpanded()+"]:"+p, a.String()+"%eth0", "["+a.String()+"%25eth0]:"+p)
		}
		want := guessKey(a.String())
		for _, form := range forms {
			r.Header = http.Header{"X-Forwarded-For": {xff1 + ", " + form}}
			if k := guessKey(clientIP(r, trusted)); k != want {
				t.Fatalf("X-Forwarded-For entry %q counts as client %q, %q counts as %q", form, k, a.String(), want)
			}
		}
	})
}
