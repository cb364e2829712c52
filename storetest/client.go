package storetest

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
)

// RunClient is the conformance suite for sessions.ClientStore
// implementations, the stores that keep the whole session in the cookie:
//
//	func TestClientConformance(t *testing.T) {
//		storetest.RunClient(t, func(t *testing.T) sessions.ClientStore {
//			return newStoreForTest(t)
//		})
//	}
//
// It checks what a sealed cookie must guarantee: every value type and all
// metadata round trip; every tampered, truncated, foreign-name, garbage or
// oversize value is refused with an error wrapping sessions.ErrCorrupt, the
// same error for every tampered variant, and never a panic; an oversize
// session is refused by Seal with sessions.ErrTooLarge, and what Seal
// returns fits in a 4096-byte cookie; no plaintext shows through; sealing
// twice gives two different values.
//
// The server-side parts of Run do not apply to a client store: there is no
// insert-if-absent, no atomic increment or concurrent delta commit across
// requests (each response carries a whole new cookie), no rename with
// grace, no user index and no server-side expiry (the manager enforces
// idle and absolute limits from the sealed metadata).
func RunClient(t *testing.T, newStore func(t *testing.T) sessions.ClientStore) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, s sessions.ClientStore)
	}{
		{"ValueTypes", clientTestValueTypes},
		{"MetaRoundTrip", clientTestMeta},
		{"EmptyRecord", clientTestEmpty},
		{"FreshNonce", clientTestFreshNonce},
		{"Tampering", clientTestTampering},
		{"ForeignName", clientTestForeignName},
		{"Malformed", clientTestMalformed},
		{"Oversize", clientTestOversize},
		{"NoPlaintext", clientTestNoPlaintext},
		{"Concurrent", clientTestConcurrent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, newStore(t))
		})
	}
}

const clientCookieName = "__Host-id"

// clientID returns a session ID shaped like the ones the manager issues.
func clientID(t *testing.T) string {
	t.Helper()
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func clientSeal(t *testing.T, s sessions.ClientStore, name, id string, rec *sessions.Record) string {
	t.Helper()
	v, err := s.Seal(name, id, rec)
	if err != nil {
		t.Fatalf("Seal: %v", err)
	}
	if len(name)+len(v) > 4096 {
		t.Fatalf("Seal returned a %d-byte value: name and value are over 4096 bytes", len(v))
	}
	return v
}

func clientOpen(t *testing.T, s sessions.ClientStore, name, value string) (string, *sessions.Record) {
	t.Helper()
	id, rec, err := s.Open(name, value)
	if err != nil {
		t.Fatalf("Open of a value Seal returned: %v", err)
	}
	if rec == nil {
		t.Fatal("Open returned a nil record and no error")
	}
	return id, rec
}

// clientRefused opens value and reports a test error unless it is refused
// with an error wrapping ErrCorrupt, without a panic. It returns the error's
// text.
func clientRefused(t *testing.T, s sessions.ClientStore, name, value, what string) (msg string) {
	t.Helper()
	defer func() {
		if p := recover(); p != nil {
			t.Errorf("%s: Open panicked: %v", what, p)
			msg = "panic"
		}
	}()
	id, rec, err := s.Open(name, value)
	if err == nil {
		t.Errorf("%s: Open accepted it (id %d bytes, record %+v)", what, len(id), rec)
		return ""
	}
	if !errors.Is(err, sessions.ErrCorrupt) {
		t.Errorf("%s: Open error %v does not wrap sessions.ErrCorrupt", what, err)
	}
	return err.Error()
}

type clientPoint struct {
	X, Y int
	Tag  string
}

func clientTestValueTypes(t *testing.T, s sessions.ClientStore) {
	when := time.Date(2030, 1, 2, 3, 4, 5, 987654321, time.FixedZone("X", 3600))
	cases := []struct {
		key   string
		value any
	}{
		{"nil", nil},
		{"string", "kataras"},
		{"string/empty", ""},
		{"string/unicode", "ünï, 世界 🍪"},
		{"string/binary", "\x00\xff\x01"},
		{"int", 123456},
		{"int/negative", -42},
		{"int8", int8(-128)},
		{"int16", int16(32767)},
		{"int32", int32(-2147483648)},
		{"int64", int64(-1) << 63},
		{"uint", uint(99)},
		{"uint8", uint8(200)},
		{"uint16", uint16(60000)},
		{"uint32", uint32(4000000000)},
		{"uint64", ^uint64(0)},
		{"float64", -0.125},
		{"float32", float32(2.5)},
		{"bool/true", true},
		{"bool/false", false},
		{"bytes", []byte{0, 0xfe, 7}},
		{"bytes/empty", []byte{}},
		{"time", when},
		{"duration", -3 * time.Millisecond},
		{"strings", []string{"x", "", "z"}},
		{"list", []any{"a", 2, false, []any{1.5, nil}}},
		{"map", map[string]any{"a": 1, "b": map[string]any{"c": "d"}, "e": []any{true}}},
	}
	in := &sessions.Record{Meta: sessions.Meta{Created: 1, Renewed: 2, LastSeen: 3, Expires: 4}}
	for _, c := range cases {
		in.SetField(c.key, c.value)
	}
	in.SetField("struct", clientPoint{3, 4, "q"})
	before := in.Clone()
	id := clientID(t)
	_, out := clientOpen(t, s, clientCookieName, clientSeal(t, s, clientCookieName, id, in))
	if !reflect.DeepEqual(in.Fields, before.Fields) || in.Meta != before.Meta {
		t.Errorf("Seal modified the record it was given")
	}
	got := map[string]any{}
	for _, f := range out.Fields {
		got[f.Key] = f.Value
	}
	for _, c := range cases {
		v, ok := got[c.key]
		switch {
		case !ok:
			t.Errorf("%s: missing after Seal and Open", c.key)
		case c.key == "time":
			if g, isTime := v.(time.Time); !isTime || !g.Equal(when) {
				t.Errorf("time: got %#v, want %v", v, when)
			}
		case !reflect.DeepEqual(v, c.value):
			t.Errorf("%s: got %#v (%T), want %#v (%T)", c.key, v, v, c.value, c.value)
		}
	}
	if p, ok := sessions.As[clientPoint](got["struct"]); !ok || p != (clientPoint{3, 4, "q"}) {
		t.Errorf("struct: got %#v, want clientPoint{3, 4, q} through sessions.As", got["struct"])
	}
	if len(out.Fields) != len(in.Fields) {
		t.Errorf("got %d fields, want %d", len(out.Fields), len(in.Fields))
	}
	for i := 1; i < len(out.Fields); i++ {
		if out.Fields[i-1].Key >= out.Fields[i].Key {
			t.Fatalf("Fields not sorted by key: %q before %q", out.Fields[i-1].Key, out.Fields[i].Key)
		}
	}
}

func clientTestMeta(t *testing.T, s sessions.ClientStore) {
	now := time.Now().UnixNano()
	in := &sessions.Record{Meta: sessions.Meta{
		Created:   now - 5000,
		Renewed:   now - 4000,
		LastSeen:  now - 3000,
		AuthTime:  now - 2000,
		Expires:   now + int64(time.Hour),
		User:      "alice@example.com",
		UserAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0",
		CSRF:      "c3JmLXNlY3JldC1jc3JmLXNlY3JldC1jc3JmLXNlYw",
		Bind:      "YmluZC1kaWdlc3Q",
	}}
	in.SetField("role", "admin")
	id := clientID(t)
	gotID, out := clientOpen(t, s, clientCookieName, clientSeal(t, s, clientCookieName, id, in))
	if gotID != id {
		t.Errorf("Open returned id %q, want the sealed %q", gotID, id)
	}
	if out.Meta != in.Meta {
		t.Errorf("meta round trip:\n got %+v\nwant %+v", out.Meta, in.Meta)
	}
	other := clientID(t)
	if gotOther, _ := clientOpen(t, s, clientCookieName, clientSeal(t, s, clientCookieName, other, in)); gotOther != other {
		t.Errorf("second session: id %q, want %q", gotOther, other)
	}
}

func clientTestEmpty(t *testing.T, s sessions.ClientStore) {
	id := clientID(t)
	gotID, out := clientOpen(t, s, clientCookieName, clientSeal(t, s, clientCookieName, id, &sessions.Record{}))
	if gotID != id || out.Meta != (sessions.Meta{}) || len(out.Fields) != 0 {
		t.Errorf("empty record came back as id %q, %+v", gotID, out)
	}
}

func clientTestFreshNonce(t *testing.T, s sessions.ClientStore) {
	id := clientID(t)
	rec := NewRecord(time.Hour, "k", "v")
	a := clientSeal(t, s, clientCookieName, id, rec)
	b := clientSeal(t, s, clientCookieName, id, rec)
	if a == b {
		t.Fatal("sealing the same session twice gave the same value: the nonce is not fresh, and equal sessions are visible as equal cookies")
	}
	clientOpen(t, s, clientCookieName, a)
	clientOpen(t, s, clientCookieName, b)
}

// clientTestTampering flips every bit of a valid value, one at a time, and
// also replaces every byte with every other byte of the base64url alphabet.
// Every variant must be refused with one and the same error text: a client
// must not learn which check failed.
func clientTestTampering(t *testing.T, s sessions.ClientStore) {
	value := clientSeal(t, s, clientCookieName, clientID(t), NewRecord(time.Hour, "role", "user"))
	msgs := map[string]int{}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	b := []byte(value)
	for i := range b {
		orig := b[i]
		for bit := range 8 {
			b[i] = orig ^ 1<<bit
			msgs[clientRefused(t, s, clientCookieName, string(b), fmt.Sprintf("byte %d bit %d flipped", i, bit))]++
		}
		for j := 0; j < len(alphabet); j++ {
			if alphabet[j] == orig {
				continue
			}
			b[i] = alphabet[j]
			msgs[clientRefused(t, s, clientCookieName, string(b), fmt.Sprintf("byte %d replaced by %q", i, alphabet[j]))]++
		}
		b[i] = orig
		if t.Failed() {
			return
		}
	}
	if len(msgs) > 1 {
		t.Errorf("tampered values are refused with %d different errors, want one generic error: %v", len(msgs), msgs)
	}
	clientOpen(t, s, clientCookieName, value)
}

func clientTestForeignName(t *testing.T, s sessions.ClientStore) {
	value := clientSeal(t, s, clientCookieName, clientID(t), NewRecord(time.Hour, "role", "admin"))
	for _, name := range []string{"__Host-csrf", "__host-id", "__Host-id2", "id", "sid", ""} {
		clientRefused(t, s, name, value, fmt.Sprintf("value sealed for %q opened as cookie %q", clientCookieName, name))
	}
	clientOpen(t, s, clientCookieName, value)
}

func clientTestMalformed(t *testing.T, s sessions.ClientStore) {
	value := clientSeal(t, s, clientCookieName, clientID(t), NewRecord(time.Hour, "n", 1))
	random := make([]byte, 300)
	rand.Read(random)
	cases := map[string]string{
		"empty":          "",
		"one char":       "a",
		"padding":        "====",
		"10 KB":          strings.Repeat("A", 10<<10),
		"oversize valid": value + strings.Repeat("A", 4096),
		"random bytes":   string(random),
		"random base64":  base64.RawURLEncoding.EncodeToString(random),
		"NUL":            "%00",
		"SQL":            "' OR '1'='1",
		"not UTF-8":      "\xff\xfe\xfd",
		"path":           "../../etc/passwd",
		"session ID":     clientID(t),
		"doubled":        value + value,
		"appended":       value + "A",
		"padded":         value + "=",
		"CR inserted":    value[:10] + "\r" + value[10:],
		"LF inserted":    value[:10] + "\n" + value[10:],
		"space":          " " + value,
		"quoted":         `"` + value + `"`,
		"std alphabet":   strings.NewReplacer("-", "+", "_", "/").Replace(value),
	}
	for what, v := range cases {
		if v == value {
			continue // the replacer found nothing to replace
		}
		clientRefused(t, s, clientCookieName, v, what)
	}
	for n := range len(value) {
		clientRefused(t, s, clientCookieName, value[:n], fmt.Sprintf("truncated to %d of %d bytes", n, len(value)))
		clientRefused(t, s, clientCookieName, value[n+1:], fmt.Sprintf("first %d bytes cut", n+1))
	}
}

// clientTestOversize seals ever larger sessions: whatever Seal returns fits
// in a cookie, and what does not fit is refused with ErrTooLarge.
func clientTestOversize(t *testing.T, s sessions.ClientStore) {
	noise := make([]byte, 8<<10)
	rand.Read(noise) // incompressible
	seal := func(n int) (string, error) {
		rec := NewRecord(time.Hour, "blob", noise[:n])
		rec.User = "alice"
		return s.Seal(clientCookieName, clientID(t), rec)
	}
	if _, err := seal(5 << 10); !errors.Is(err, sessions.ErrTooLarge) {
		t.Fatalf("Seal of a 5 KB session: err = %v, want one wrapping sessions.ErrTooLarge", err)
	}
	// The largest session that fits: binary search over the blob size.
	lo, hi := 0, 5<<10 // seal(lo) fits, seal(hi) does not
	if _, err := seal(lo); err != nil {
		t.Fatalf("Seal of a small session: %v", err)
	}
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if _, err := seal(mid); err == nil {
			lo = mid
		} else if errors.Is(err, sessions.ErrTooLarge) {
			hi = mid
		} else {
			t.Fatalf("Seal of a %d-byte blob: %v, want nil or ErrTooLarge", mid, err)
		}
	}
	v, err := seal(lo)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(clientCookieName) + len(v); n > 4096 {
		t.Fatalf("largest session (a %d-byte blob) makes a %d-byte cookie, over 4096", lo, n)
	}
	if lo < 2<<10 {
		t.Errorf("only %d bytes of data fit in a cookie; want at least 2 KB", lo)
	}
	t.Logf("largest blob that fits: %d bytes, cookie %d bytes", lo, len(clientCookieName)+len(v))
	_, rec := clientOpen(t, s, clientCookieName, v)
	if got, _ := rec.Lookup("blob"); !bytes.Equal(got.([]byte), noise[:lo]) {
		t.Error("largest session did not round trip")
	}
}

func clientTestNoPlaintext(t *testing.T, s sessions.ClientStore) {
	const marker = "PLAINTEXT-MARKER-31c7"
	rec := NewRecord(time.Hour, "note", marker, "key-"+marker, 1, "raw", []byte(marker))
	rec.User = marker + "@example.com"
	rec.CSRF = marker
	id := clientID(t)
	value := clientSeal(t, s, clientCookieName, id, rec)
	decoded := []string{value}
	for _, enc := range []*base64.Encoding{base64.RawURLEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.StdEncoding} {
		if b, err := enc.DecodeString(value); err == nil {
			decoded = append(decoded, string(b))
		}
	}
	for _, d := range decoded {
		for _, secret := range []string{marker, id} {
			if strings.Contains(d, secret) {
				t.Errorf("sealed value shows %q in plain text", secret)
			}
		}
	}
}

func clientTestConcurrent(t *testing.T, s sessions.ClientStore) {
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				id := clientID(t)
				rec := NewRecord(time.Hour, "g", g, "i", i)
				v, err := s.Seal(clientCookieName, id, rec)
				if err != nil {
					t.Errorf("Seal: %v", err)
					return
				}
				gotID, out, err := s.Open(clientCookieName, v)
				if err != nil || gotID != id {
					t.Errorf("Open: id match %v, err %v", gotID == id, err)
					return
				}
				if gi, _ := out.Lookup("g"); gi != g {
					t.Errorf("goroutine %d read g = %v", g, gi)
					return
				}
			}
		})
	}
	wg.Wait()
}
