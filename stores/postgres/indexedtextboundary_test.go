package postgres

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"github.com/sessionkit/sessions"
	"github.com/sessionkit/sessions/storetest"
)

// The limit on indexed text (maxIndexedText) is exact: a value name or user
// of exactly that many bytes is stored and loads back; one byte more is
// refused with sessions.ErrUnsupportedValue.
func TestIndexedTextBoundary(t *testing.T) {
	s := newTestStore(t, Options{CleanupInterval: -1})
	b := make([]byte, (maxIndexedText+1)/2+1)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	text := hex.EncodeToString(b)
	for _, c := range []struct {
		name   string
		n      int
		refuse bool
	}{
		{"at the limit", maxIndexedText, false},
		{"one byte over", maxIndexedText + 1, true},
	} {
		for _, w := range []struct {
			what string
			rec  func(s string) *sessions.Record
			got  func(r *sessions.Record) bool
		}{
			{"value name", func(s string) *sessions.Record { return storetest.NewRecord(time.Hour, s, 1) },
				func(r *sessions.Record) bool { return len(r.Fields) == 1 && len(r.Fields[0].Key) == c.n }},
			{"user", func(s string) *sessions.Record { r := storetest.NewRecord(time.Hour); r.User = s; return r },
				func(r *sessions.Record) bool { return len(r.User) == c.n }},
		} {
			t.Run(c.name+"/"+w.what, func(t *testing.T) {
				key := storetest.NewKey(t)
				err := s.Create(t.Context(), key, w.rec(text[:c.n]))
				if c.refuse {
					if !errors.Is(err, sessions.ErrUnsupportedValue) {
						t.Errorf("Create with a %d-byte %s: %v; want ErrUnsupportedValue (limit %d)", c.n, w.what, err, maxIndexedText)
					}
					return
				}
				if err != nil {
					t.Fatalf("Create with a %d-byte %s: %v; want success (limit %d)", c.n, w.what, err, maxIndexedText)
				}
				if got := mustLoadRec(t, s, key); !w.got(got) {
					t.Errorf("the %d-byte %s did not load back", c.n, w.what)
				}
			})
		}
	}
}
