package cookie_test

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/cookie"
	"github.com/sessionkit/sessions/storetest"
)

// newKey returns a fresh random key.
func newKey(t testing.TB) []byte {
	t.Helper()
	k, err := cookie.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func newStore(t testing.TB, keys ...[]byte) *cookie.Store {
	t.Helper()
	if len(keys) == 0 {
		keys = [][]byte{newKey(t)}
	}
	s, err := cookie.New(keys...)
	if err != nil {
		t.Fatalf("cookie.New: %v", err)
	}
	return s
}

func TestClientConformance(t *testing.T) {
	storetest.RunClient(t, func(t *testing.T) sessions.ClientStore { return newStore(t) })
}

func TestClientConformanceKeyRing(t *testing.T) {
	// A store with a ring seals under its newest key; the suite must pass
	// the same.
	storetest.RunClient(t, func(t *testing.T) sessions.ClientStore { return newStore(t, newKey(t), newKey(t), newKey(t)) })
}

func TestNewRefusesBadKeys(t *testing.T) {
	good := newKey(t)
	zero := make([]byte, 32)
	same := bytes.Repeat([]byte{0x5a}, 32)
	counting := make([]byte, 32)
	for i := range counting {
		counting[i] = byte(3 * i)
	}
	fewValues := make([]byte, 32)
	for i := range fewValues {
		fewValues[i] = []byte{0x81, 0x92, 0xa3, 0xb4, 0xc5}[i*7%5]
	}
	goExample, _ := hex.DecodeString("6368616e676520746869732070617373776f726420746f206120736563726574")
	documented, _ := base64.StdEncoding.DecodeString("Rgd+SfE8bFBlfGu5Xb4JgculJzt/n6aDTDzC/+V40jA=")
	cases := []struct {
		name string
		keys [][]byte
		want string
	}{
		{"no keys", nil, "no key given"},
		{"nil key", [][]byte{nil}, "is empty"},
		{"16 bytes", [][]byte{good[:16]}, "is 16 bytes"},
		{"33 bytes", [][]byte{append(append([]byte{}, good...), 1)}, "is 33 bytes"},
		{"all zero", [][]byte{zero}, "all zero"},
		{"one byte repeated", [][]byte{same}, "counting sequence"},
		{"counting", [][]byte{counting}, "counting sequence"},
		{"few values", [][]byte{fewValues}, "distinct byte values"},
		{"password", [][]byte{[]byte("my-very-secret-session-key-12345")}, "printable text"},
		{"Go docs example", [][]byte{goExample}, "printed in documentation"},
		{"our docs example", [][]byte{documented}, "printed in documentation"},
		{"bad older key", [][]byte{good, good[:31]}, "key 2 is 31 bytes"},
		{"repeated key", [][]byte{good, newKey(t), good}, "key 3 repeats key 1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := cookie.New(c.keys...)
			if err == nil {
				t.Fatalf("New accepted the keys: %v", s)
			}
			if !errors.Is(err, cookie.ErrInvalidKey) || !errors.Is(err, sessions.ErrConfig) {
				t.Errorf("err = %v, want one wrapping ErrInvalidKey and sessions.ErrConfig", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %q, want it to say %q", err, c.want)
			}
			if c.name != "repeated key" && !strings.Contains(err.Error(), "GenerateKey") {
				t.Errorf("err = %q does not say how to get a good key", err)
			}
		})
	}
}

func TestGeneratedKeysPass(t *testing.T) {
	// The shape checks must never refuse a random key (their false-alarm
	// rate is below 1e-13); 10,000 tries would catch a check that is wrong.
	for range 10000 {
		k := newKey(t)
		if _, err := cookie.New(k); err != nil {
			t.Fatalf("New refused a random key %x: %v", k, err)
		}
	}
}

func TestParseKey(t *testing.T) {
	k := newKey(t)
	forms := map[string]string{
		"std base64":      base64.StdEncoding.EncodeToString(k),
		"raw std base64":  base64.RawStdEncoding.EncodeToString(k),
		"url base64":      base64.URLEncoding.EncodeToString(k),
		"raw url base64":  base64.RawURLEncoding.EncodeToString(k),
		"hex":             hex.EncodeToString(k),
		"upper hex":       strings.ToUpper(hex.EncodeToString(k)),
		"with whitespace": "  " + base64.StdEncoding.EncodeToString(k) + "\n",
	}
	for name, text := range forms {
		got, err := cookie.ParseKey(text)
		if err != nil || !bytes.Equal(got, k) {
			t.Errorf("%s: ParseKey(%q) = %x, %v; want %x", name, text, got, err, k)
		}
	}
	bad := map[string]string{
		"empty":        "",
		"short":        base64.StdEncoding.EncodeToString(k[:16]),
		"not encoded":  "correct horse battery staple",
		"zero":         base64.StdEncoding.EncodeToString(make([]byte, 32)),
		"documented":   "Rgd+SfE8bFBlfGu5Xb4JgculJzt/n6aDTDzC/+V40jA=",
		"Go docs":      "6368616e676520746869732070617373776f726420746f206120736563726574",
		"63 hex chars": hex.EncodeToString(k)[:63],
	}
	for name, text := range bad {
		if got, err := cookie.ParseKey(text); !errors.Is(err, cookie.ErrInvalidKey) {
			t.Errorf("%s: ParseKey(%q) = %x, %v; want an ErrInvalidKey error", name, text, got, err)
		}
	}
}

func TestParseKeys(t *testing.T) {
	k1, k2 := newKey(t), newKey(t)
	text := base64.StdEncoding.EncodeToString(k2) + ", " + hex.EncodeToString(k1)
	keys, err := cookie.ParseKeys(text)
	if err != nil || len(keys) != 2 || !bytes.Equal(keys[0], k2) || !bytes.Equal(keys[1], k1) {
		t.Fatalf("ParseKeys = %x, %v; want [k2 k1]", keys, err)
	}
	if _, err := cookie.New(keys...); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"", " , ", text + "," + hex.EncodeToString(k1), text + ",xyz"} {
		if _, err := cookie.ParseKeys(bad); !errors.Is(err, cookie.ErrInvalidKey) {
			t.Errorf("ParseKeys(%q): err = %v, want ErrInvalidKey", bad, err)
		}
	}
}

func TestFormat(t *testing.T) {
	s := newStore(t)
	id := strings.Repeat("A", sessions.IDLen)
	v, err := s.Seal("__Host-id", id, &sessions.Record{})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil {
		t.Fatalf("value is not unpadded base64url: %v", err)
	}
	if raw[0] != 1 {
		t.Errorf("version byte = %d, want 1", raw[0])
	}
	// version + nonce + (uvarint len + id + empty record) + tag
	empty, _ := sessions.MarshalRecord(&sessions.Record{})
	if want := 1 + 12 + 1 + len(id) + len(empty) + 16; len(raw) != want {
		t.Errorf("sealed length = %d, want %d", len(raw), want)
	}
	// A version byte this store does not know is refused even under a
	// valid-looking rest.
	raw[0] = 2
	if _, _, err := s.Open("__Host-id", base64.RawURLEncoding.EncodeToString(raw)); !errors.Is(err, sessions.ErrCorrupt) {
		t.Errorf("version 2: err = %v, want ErrCorrupt", err)
	}
}

func TestKeyRingOpen(t *testing.T) {
	k1, k2 := newKey(t), newKey(t)
	old := newStore(t, k1)
	id := strings.Repeat("B", sessions.IDLen)
	v, err := old.Seal("sid", id, storetest.NewRecord(time.Hour, "x", 1))
	if err != nil {
		t.Fatal(err)
	}
	ring := newStore(t, k2, k1)
	gotID, rec, stale, err := ring.OpenStale("sid", v)
	if err != nil || gotID != id || !stale {
		t.Fatalf("OpenStale of a k1 value under [k2 k1] = %q, stale %v, %v; want the id, stale", gotID, stale, err)
	}
	if x, _ := rec.Lookup("x"); x != 1 {
		t.Errorf("x = %v, want 1", x)
	}
	v2, err := ring.Seal("sid", id, rec)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, stale, err := ring.OpenStale("sid", v2); err != nil || stale {
		t.Errorf("re-sealed value: stale %v, %v; want fresh", stale, err)
	}
	if _, _, err := newStore(t, k2).Open("sid", v2); err != nil {
		t.Errorf("re-sealed value does not open under k2 alone: %v", err)
	}
	if _, _, err := old.Open("sid", v2); !errors.Is(err, sessions.ErrCorrupt) {
		t.Errorf("value sealed under k2 opened under k1 alone: %v", err)
	}
	_, _, errDropped := newStore(t, k2).Open("sid", v)
	_, _, errGarbage := newStore(t, k2).Open("sid", "garbage")
	if !errors.Is(errDropped, sessions.ErrCorrupt) {
		t.Errorf("k1 value after dropping k1: err = %v, want ErrCorrupt", errDropped)
	} else if errDropped.Error() != errGarbage.Error() {
		t.Errorf("a value under a dropped key is told apart from garbage: %q vs %q", errDropped, errGarbage)
	}
}

func TestSameKeysOtherPurpose(t *testing.T) {
	k := newKey(t)
	a, err := cookie.NewWithOptions(cookie.Options{Keys: [][]byte{k}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := cookie.NewWithOptions(cookie.Options{Keys: [][]byte{k}, Purpose: "admin-app"})
	if err != nil {
		t.Fatal(err)
	}
	v, err := a.Seal("sid", strings.Repeat("C", sessions.IDLen), &sessions.Record{})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.Open("sid", v); !errors.Is(err, sessions.ErrCorrupt) {
		t.Errorf("value sealed for purpose %q opened for another: %v", cookie.DefaultPurpose, err)
	}
	if _, _, err := newStore(t, k).Open("sid", v); err != nil {
		t.Errorf("same keys, same purpose: %v", err)
	}
}

func TestSealRefusesBadInput(t *testing.T) {
	s := newStore(t)
	for _, id := range []string{"", strings.Repeat("x", 256)} {
		if _, err := s.Seal("sid", id, &sessions.Record{}); err == nil {
			t.Errorf("Seal with a %d-byte id succeeded", len(id))
		}
	}
	rec := &sessions.Record{}
	rec.SetField("ch", make(chan int))
	if _, err := s.Seal("sid", strings.Repeat("D", sessions.IDLen), rec); !errors.Is(err, sessions.ErrUnsupportedValue) {
		t.Errorf("Seal of a channel: err = %v, want ErrUnsupportedValue", err)
	}
	big := storetest.NewRecord(time.Hour, "blob", bytes.Repeat([]byte{1}, 5000))
	_, err := s.Seal("sid", strings.Repeat("D", sessions.IDLen), big)
	if !errors.Is(err, cookie.ErrCookieTooLarge) || !errors.Is(err, sessions.ErrTooLarge) {
		t.Errorf("Seal of 5 KB: err = %v, want ErrCookieTooLarge wrapping sessions.ErrTooLarge", err)
	}
}

func TestServerSideMethods(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	key := storetest.NewKey(t)
	if rec, found, err := s.Load(ctx, key); rec != nil || found || err != nil {
		t.Errorf("Load = %v, %v, %v; want not found", rec, found, err)
	}
	errs := map[string]error{
		"Create": s.Create(ctx, key, &sessions.Record{}),
		"Commit": s.Commit(ctx, key, &sessions.Delta{}),
		"Delete": s.Delete(ctx, key),
		"Rename": s.Rename(ctx, key, storetest.NewKey(t), 0),
	}
	_, errs["Increment"] = s.Increment(ctx, key, "n", 1)
	for op, err := range errs {
		if !errors.Is(err, sessions.ErrNotSupported) || !strings.Contains(err.Error(), "no server-side state") {
			t.Errorf("%s: err = %v, want ErrNotSupported saying the store keeps no server-side state", op, err)
		}
	}
}

func TestRegistered(t *testing.T) {
	k1, k2 := newKey(t), newKey(t)
	t.Setenv(cookie.KeyEnv, base64.StdEncoding.EncodeToString(k2)+","+base64.StdEncoding.EncodeToString(k1))
	m, err := sessions.Open("cookie", sessions.Options{})
	if err != nil {
		t.Fatalf("sessions.Open(\"cookie\"): %v", err)
	}
	if _, ok := m.Store().(*cookie.Store); !ok {
		t.Fatalf("store is %T", m.Store())
	}
	for _, bad := range []string{"", "too-short", base64.StdEncoding.EncodeToString(make([]byte, 32))} {
		t.Setenv(cookie.KeyEnv, bad)
		if _, err := sessions.Open("cookie", sessions.Options{}); !errors.Is(err, sessions.ErrConfig) || !strings.Contains(err.Error(), cookie.KeyEnv) {
			t.Errorf("%s=%q: err = %v, want ErrConfig naming the variable", cookie.KeyEnv, bad, err)
		}
	}
}
