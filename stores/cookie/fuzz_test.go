package cookie_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/stores/cookie"
)

// The fuzz keys are fixed so that values in the committed corpus stay
// authentic from run to run. They are test keys: never use them anywhere.
var (
	fuzzKeyNew = mustHex("e71a72a1db5c16671c228ab3969499139a99617b0de30c38ea9fafb02c68f3cd")
	fuzzKeyOld = mustHex("19df6bb755bccab8b2ee50233ab277daba93cee93c967b925ed05c557059244a")
)

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// fuzzSessions are the only sessions ever sealed under the fuzz keys, by
// id. Anything Open accepts must decrypt to one of them.
func fuzzSessions() map[string]*sessions.Record {
	t0 := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	a := &sessions.Record{Meta: sessions.Meta{Created: t0, Renewed: t0, LastSeen: t0, Expires: t0 + int64(time.Hour)}}
	b := &sessions.Record{Meta: sessions.Meta{Created: t0, Renewed: t0 + 1, LastSeen: t0 + 2, AuthTime: t0 + 3, Expires: t0 + 4,
		User: "alice", UserAgent: "curl/8", CSRF: "c3JmLXNlY3JldA", Bind: "YmluZA"}}
	b.SetField("role", "admin")
	b.SetField("n", 42)
	b.SetField("list", []any{"x", 1.5, map[string]any{"k": []string{"v"}}})
	b.SetField("blob", bytes.Repeat([]byte{0xab}, 64))
	return map[string]*sessions.Record{
		"fuzz-session-a-000000000000000000000000000": a,
		"fuzz-session-b-000000000000000000000000000": b,
	}
}

// FuzzOpen feeds arbitrary cookie names and values to Open: it must never
// panic, must refuse with an error wrapping ErrCorrupt, and may succeed only
// for a value genuinely sealed under the ring's keys for that cookie name.
//
//	go test -run=^$ -fuzz=FuzzOpen -fuzztime=45s ./stores/cookie
func FuzzOpen(f *testing.F) {
	ring, err := cookie.New(fuzzKeyNew, fuzzKeyOld)
	if err != nil {
		f.Fatal(err)
	}
	old, err := cookie.New(fuzzKeyOld)
	if err != nil {
		f.Fatal(err)
	}
	known := fuzzSessions()
	for id, rec := range known {
		for _, s := range []*cookie.Store{ring, old} {
			v, err := s.Seal(cookieName, id, rec)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(cookieName, v)
			f.Add("__Host-csrf", v)
			f.Add(cookieName, v[:len(v)-1])
		}
	}
	f.Add(cookieName, "")
	f.Add(cookieName, "AQ")
	f.Add(cookieName, "not a cookie")
	f.Add("", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")

	f.Fuzz(func(t *testing.T, name, value string) {
		id, rec, stale, err := ring.OpenStale(name, value)
		if err != nil {
			if !errors.Is(err, sessions.ErrCorrupt) {
				t.Fatalf("error %v does not wrap ErrCorrupt", err)
			}
			if id != "" || rec != nil || stale {
				t.Fatalf("failed Open returned id %q, record %v, stale %v", id, rec, stale)
			}
			return
		}
		if name != cookieName {
			t.Fatalf("value opened under cookie name %q; it was only ever sealed for %q", name, cookieName)
		}
		want, ok := known[id]
		if !ok {
			t.Fatalf("forged session: Open accepted a value with unknown id %q", id)
		}
		got, _ := sessions.MarshalRecord(rec)
		exp, _ := sessions.MarshalRecord(want)
		if !bytes.Equal(got, exp) {
			t.Fatalf("forged session: id %q decrypted to %+v, want %+v", id, rec, want)
		}
		// A genuine value opens the same way again, and re-seals.
		if _, _, err := ring.Open(name, value); err != nil {
			t.Fatalf("second Open of an accepted value: %v", err)
		}
		v, err := ring.Seal(name, id, rec)
		if err != nil {
			t.Fatalf("re-seal of an accepted session: %v", err)
		}
		if _, _, stale, err := ring.OpenStale(name, v); err != nil || stale {
			t.Fatalf("re-sealed value: stale %v, %v", stale, err)
		}
	})
}
